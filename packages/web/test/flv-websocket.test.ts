import { describe, expect, it } from 'vitest';
import { MediaKind, MediaPacket } from '@rtmp-cluster/media';
import { describeFlvTag, FLV_ENCODING, flvHeader, flvTag, WebSocketFrameReader, webSocketAccept, wsFrame, WS_FLV_ENCODING } from '@rtmp-cluster/web';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function masked(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = hex('11223344');
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | body.length]), mask, body]);
}

describe('FLV format', () => {
  it('header flags name only the tracks present', () => {
    expect(flvHeader({ audio: true, video: true })).toEqual(hex('464c5601 05 00000009 00000000'));
    expect(flvHeader({ audio: false, video: true })[4]).toBe(1);
    expect(flvHeader({ audio: true, video: false })[4]).toBe(4);
  });

  it('a tag: type, size, 24+8-bit timestamp, stream id 0, body, PreviousTagSize', () => {
    expect(flvTag(9, 0x12345678, hex('1701'))).toEqual(hex('09 000002 345678 12 000000 1701 0000000d'));
    expect(describeFlvTag(flvTag(9, 0, hex('1700000000')))).toEqual({ type: 9, isConfig: true });
    expect(describeFlvTag(flvTag(9, 0, hex('1701000000')))).toEqual({ type: 9, isConfig: false });
    expect(describeFlvTag(flvTag(8, 0, hex('af00')))).toEqual({ type: 8, isConfig: true });
    expect(describeFlvTag(flvTag(8, 0, hex('90 4f707573')))).toEqual({ type: 8, isConfig: true });
  });

  it('the FLV encoding: once per packet, legacy AVC from avc1, metadata at 0, other data dropped', () => {
    const p = new MediaPacket(MediaKind.Video, 5000, hex('91 61766331 000000 aa'), true, false);
    const tag = p.encodedWith(FLV_ENCODING)!;
    expect(tag).toEqual(flvTag(9, 5000, hex('17 01 000000 aa')));
    expect(p.encodedWith(FLV_ENCODING)).toBe(tag);
    // WS-FLV shares the FLV tag and adds the frame header, also once
    const frame = p.encodedWith(WS_FLV_ENCODING)!;
    expect(frame).toEqual(Buffer.concat([hex('82'), Buffer.from([tag.length]), tag]));
    expect(p.encodedWith(WS_FLV_ENCODING)).toBe(frame);
    const meta = new MediaPacket(MediaKind.Data, 9000, hex('02 000a 6f6e4d65746144617461 03 000009'), false, true);
    expect(meta.encodedWith(FLV_ENCODING)!.readUIntBE(4, 3)).toBe(0);
    const text = new MediaPacket(MediaKind.Data, 9000, hex('02 000a 6f6e54657874446174 61 03 000009'), false, false);
    expect(text.encodedWith(FLV_ENCODING)).toBeNull();
  });
});

describe('WebSocket framing', () => {
  it('accept key of RFC 6455 section 1.3', () => {
    expect(webSocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('server frames use the 7, 16 and 64-bit lengths', () => {
    expect(wsFrame(2, Buffer.alloc(125)).subarray(0, 2)).toEqual(hex('827d'));
    expect(wsFrame(2, Buffer.alloc(126)).subarray(0, 4)).toEqual(hex('827e007e'));
    expect(wsFrame(2, Buffer.alloc(70000)).subarray(0, 10)).toEqual(hex('827f 00000000 00011170'));
  });

  it('reads masked client frames split anywhere; refuses unmasked, oversized and fragmented control frames', () => {
    const bytes = Buffer.concat([masked(9, Buffer.from('hi')), masked(8, hex('03e8'))]);
    const r = new WebSocketFrameReader();
    const frames = [];
    for (const b of bytes) frames.push(...r.push(Buffer.from([b])));
    expect(frames.map((f) => [f.opcode, f.payload.toString('hex')])).toEqual([
      [9, Buffer.from('hi').toString('hex')],
      [8, '03e8'],
    ]);
    expect(() => new WebSocketFrameReader().push(hex('8202 6869'))).toThrow(/not masked/);
    expect(() => new WebSocketFrameReader(16).push(masked(2, Buffer.alloc(20)))).toThrow(/limit 16/);
    expect(() => new WebSocketFrameReader().push(masked(9, Buffer.alloc(1), false))).toThrow(/control frame/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  ChunkDecoder,
  ChunkEncoder,
  RtmpError,
  abortMessage,
  acknowledgementMessage,
  parseProtocolControl,
  parseUserControl,
  setChunkSizeMessage,
  setPeerBandwidthMessage,
  splitAggregate,
  userControlMessage,
  windowAckSizeMessage,
  type RtmpMessage,
  type UserControlEvent,
} from '@rtmp-cluster/rtmp';
import { msg } from './support/chunkDecoding.js';
import { h } from './support/hex.js';
import { errorCode } from './support/rtmpError.js';

/** Control messages travel on csid 2, message stream 0. */
const control = (type: number, payload: Buffer) => msg(2, type, 0, 0, payload);

describe('protocol control messages', () => {
  const vectors: { name: string; built: RtmpMessage; type: number; payload: string; parsed: unknown }[] = [
    {
      name: '[conf 16] Set Chunk Size 4096',
      built: setChunkSizeMessage(4096),
      type: 1,
      payload: '00001000',
      parsed: { kind: 'setChunkSize', size: 4096 },
    },
    {
      name: '[conf 21] Abort for csid 6',
      built: abortMessage(6),
      type: 2,
      payload: '00000006',
      parsed: { kind: 'abort', csid: 6 },
    },
    {
      name: '[conf 24] Acknowledgement carries the byte count mod 2^32',
      built: acknowledgementMessage(2 ** 32 + 5),
      type: 3,
      payload: '00000005',
      parsed: { kind: 'acknowledgement', sequence: 5 },
    },
    {
      name: '[conf 23] Window Acknowledgement Size 2500000',
      built: windowAckSizeMessage(2_500_000),
      type: 5,
      payload: '002625a0',
      parsed: { kind: 'windowAckSize', size: 2_500_000 },
    },
    {
      name: '[conf 23] Set Peer Bandwidth 2500000, limit type 2 (dynamic)',
      built: setPeerBandwidthMessage(2_500_000, 2),
      type: 6,
      payload: '002625a002',
      parsed: { kind: 'setPeerBandwidth', size: 2_500_000, limitType: 2 },
    },
  ];
  for (const v of vectors) {
    it(`${v.name}: builder bytes and parser agree`, () => {
      expect(v.built).toEqual({ csid: 2, type: v.type, timestamp: 0, streamId: 0, payload: Buffer.from(v.payload, 'hex') });
      expect(parseProtocolControl(control(v.type, Buffer.from(v.payload, 'hex')))).toEqual(v.parsed);
    });
  }

  it('[conf 22] control messages go on csid 2 and message stream 0', () => {
    for (const m of [setChunkSizeMessage(128), abortMessage(3), acknowledgementMessage(1), windowAckSizeMessage(1), setPeerBandwidthMessage(1, 0)]) {
      expect([m.csid, m.streamId]).toEqual([2, 0]);
    }
  });

  it('[conf 24] Acknowledgement of exactly 2^32 bytes wraps to 0', () => {
    expect(parseProtocolControl(acknowledgementMessage(2 ** 32))).toEqual({ kind: 'acknowledgement', sequence: 0 });
    expect(parseProtocolControl(acknowledgementMessage(2 ** 32 - 1))).toEqual({ kind: 'acknowledgement', sequence: 0xffffffff });
  });

  it('[conf 26] Set Peer Bandwidth limit types 0, 1 and 2 all parse, and a missing limit byte reads as dynamic', () => {
    for (const limitType of [0, 1, 2] as const) {
      expect(parseProtocolControl(setPeerBandwidthMessage(5000, limitType))).toEqual({ kind: 'setPeerBandwidth', size: 5000, limitType });
    }
    expect(parseProtocolControl(control(6, h`00001388`))).toEqual({ kind: 'setPeerBandwidth', size: 5000, limitType: 2 });
  });

  it('[conf 17] setChunkSizeMessage accepts 1..0x7FFFFFFF only', () => {
    expect(setChunkSizeMessage(0x7fffffff).payload).toEqual(h`7fffffff`);
    expect(setChunkSizeMessage(1).payload).toEqual(h`00000001`);
    expect(errorCode(() => setChunkSizeMessage(0))).toBe('CHUNK_SIZE_INVALID');
    expect(errorCode(() => setChunkSizeMessage(0x80000000))).toBe('CHUNK_SIZE_INVALID');
  });

  it('truncated payloads and foreign types fail with MESSAGE_MALFORMED', () => {
    for (const type of [1, 2, 3, 5, 6]) {
      expect(errorCode(() => parseProtocolControl(control(type, h`000010`)))).toBe('MESSAGE_MALFORMED');
    }
    expect(errorCode(() => parseProtocolControl(control(4, h`00000000`)))).toBe('MESSAGE_MALFORMED');
    expect(errorCode(() => setPeerBandwidthMessage(1, 3 as 2))).toBe('MESSAGE_MALFORMED');
    expect(errorCode(() => windowAckSizeMessage(-1))).toBe('MESSAGE_MALFORMED');
  });
});

describe('user control messages', () => {
  const vectors: { name: string; event: UserControlEvent; payload: string }[] = [
    { name: '[conf 28] StreamBegin(1)', event: { kind: 'streamBegin', streamId: 1 }, payload: '0000 00000001' },
    { name: '[conf 29] StreamEOF(1)', event: { kind: 'streamEof', streamId: 1 }, payload: '0001 00000001' },
    { name: '[conf 31] StreamDry(1)', event: { kind: 'streamDry', streamId: 1 }, payload: '0002 00000001' },
    {
      name: '[conf 30] SetBufferLength(1, 36000000 ms)',
      event: { kind: 'setBufferLength', streamId: 1, bufferMs: 36_000_000 },
      payload: '0003 00000001 02255100',
    },
    { name: '[conf 31] StreamIsRecorded(1)', event: { kind: 'streamIsRecorded', streamId: 1 }, payload: '0004 00000001' },
    { name: '[conf 32] PingRequest(0xfffffff0)', event: { kind: 'pingRequest', timestamp: 0xfffffff0 }, payload: '0006 fffffff0' },
    { name: '[conf 32] PingResponse(1234)', event: { kind: 'pingResponse', timestamp: 1234 }, payload: '0007 000004d2' },
    {
      name: '[conf 33] unknown event 26 (SWF verification request)',
      event: { kind: 'unknown', eventType: 26, data: Buffer.alloc(0) },
      payload: '001a',
    },
  ];
  for (const v of vectors) {
    it(`${v.name}: builder bytes and parser agree`, () => {
      const payload = Buffer.from(v.payload.replace(/\s+/g, ''), 'hex');
      expect(userControlMessage(v.event)).toEqual({ csid: 2, type: 4, timestamp: 0, streamId: 0, payload });
      expect(parseUserControl(control(4, payload))).toEqual(v.event);
    });
  }

  it('[conf 33] event types 26, 27, 31 and 32 parse as unknown with their data, never an error', () => {
    const cases: [string, number, string][] = [
      ['001a', 26, ''],
      ['001b 0102030405', 27, '0102030405'],
      ['001f 00000001', 31, '00000001'],
      ['0020 00000001', 32, '00000001'],
      ['0005', 5, ''],
      ['ffff 00', 0xffff, '00'],
    ];
    for (const [payload, eventType, data] of cases) {
      expect(parseUserControl(control(4, Buffer.from(payload.replace(/\s+/g, ''), 'hex')))).toEqual({
        kind: 'unknown',
        eventType,
        data: Buffer.from(data, 'hex'),
      });
    }
  });

  it('[conf 30] a truncated known event fails with MESSAGE_MALFORMED', () => {
    expect(errorCode(() => parseUserControl(control(4, h`00`)))).toBe('MESSAGE_MALFORMED');
    expect(errorCode(() => parseUserControl(control(4, h`0000 000000`)))).toBe('MESSAGE_MALFORMED');
    expect(errorCode(() => parseUserControl(control(4, h`0003 00000001 0000`)))).toBe('MESSAGE_MALFORMED');
    expect(errorCode(() => parseUserControl(control(5, h`0000 00000001`)))).toBe('MESSAGE_MALFORMED');
  });

  it('[conf 28] a StreamBegin survives the chunk layer', () => {
    const out: RtmpMessage[] = [];
    const decoder = new ChunkDecoder((m) => out.push(m));
    decoder.push(new ChunkEncoder().encode(userControlMessage({ kind: 'streamBegin', streamId: 0 })));
    expect(out.map(parseUserControl)).toEqual([{ kind: 'streamBegin', streamId: 0 }]);
  });
});

describe('aggregate messages', () => {
  // Two sub-messages with FLV timestamps 1000 and 1040 (0x03e8, 0x0410), each followed by its back-pointer.
  const body = h`09 000005 0003e8 00 000000  1701000000  00000010
                 08 000002 000410 00 000000  af01        0000000d`;
  const aggregate: RtmpMessage = { csid: 6, type: 22, timestamp: 5000, streamId: 1, payload: body };

  it('[conf 27] splits into sub-messages rebased on the aggregate timestamp', () => {
    expect(splitAggregate(aggregate)).toEqual([
      { csid: 6, type: 9, timestamp: 5000, streamId: 1, payload: h`1701000000` },
      { csid: 6, type: 8, timestamp: 5040, streamId: 1, payload: h`af01` },
    ]);
  });

  it('[conf 27] sub-tag timestamps use the extended byte as bits 24-31 and rebasing wraps at 2^32', () => {
    const wide = h`09 000001 fffff0 ff 000000  aa  0000000c
                   09 000001 000010 00 000000  bb  0000000c`;
    // FLV timestamps 0xfffffff0 then 0x00000010: the second is 0x20 later across the wrap.
    expect(splitAggregate({ ...aggregate, timestamp: 0xfffffff8, payload: wide }).map((m) => m.timestamp)).toEqual([
      0xfffffff8, 0x18,
    ]);
  });

  it('[conf 20] an empty aggregate has no sub-messages and a zero-length sub-message is kept', () => {
    expect(splitAggregate({ ...aggregate, payload: Buffer.alloc(0) })).toEqual([]);
    const empty = h`08 000000 000000 00 000000  0000000b`;
    expect(splitAggregate({ ...aggregate, payload: empty })).toEqual([
      { csid: 6, type: 8, timestamp: 5000, streamId: 1, payload: Buffer.alloc(0) },
    ]);
  });

  it('[conf 27] inconsistent aggregates fail with MESSAGE_MALFORMED', () => {
    const bad: [string, Buffer][] = [
      ['truncated tag header', h`09 000005 0003e8`],
      ['size beyond the payload', h`09 0000ff 0003e8 00 000000  1701000000  00000010`],
      ['wrong back-pointer', h`09 000005 0003e8 00 000000  1701000000  00000011`],
      ['missing back-pointer', h`09 000005 0003e8 00 000000  1701000000`],
      ['trailing garbage', Buffer.concat([body, h`09`])],
    ];
    for (const [name, payload] of bad) {
      expect([name, errorCode(() => splitAggregate({ ...aggregate, payload }))]).toEqual([name, 'MESSAGE_MALFORMED']);
    }
    expect(errorCode(() => splitAggregate({ ...aggregate, type: 9 }))).toBe('MESSAGE_MALFORMED');
  });

  it('[conf 19] a sub-message above maxMessageSize fails with MESSAGE_TOO_LARGE', () => {
    expect(errorCode(() => splitAggregate(aggregate, { maxMessageSize: 4 }))).toBe('MESSAGE_TOO_LARGE');
    expect(splitAggregate(aggregate, { maxMessageSize: 5 })).toHaveLength(2);
  });
});

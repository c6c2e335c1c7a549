import { describe, expect, it } from 'vitest';
import {
  ChunkDecoder,
  ChunkEncoder,
  RtmpError,
  encodeMessageShared,
  type ProtocolLimits,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';
import { INITIAL_REASSEMBLY_BYTES } from '../src/chunk/ChunkDecoder.js';
import { decodeError, decodeEveryWay, decodeOk, msg } from './support/chunkDecoding.js';
import { h } from './support/hex.js';

/** Encodes like a connection would: a Set Chunk Size message switches the encoder after it is written. */
function encodeStream(messages: RtmpMessage[]): Buffer {
  const encoder = new ChunkEncoder();
  const parts = messages.map((m) => {
    const out = encoder.encode(m);
    if (m.type === 1) encoder.setChunkSize(m.payload.readUInt32BE(0));
    return out;
  });
  return Buffer.concat(parts);
}

const SET_CHUNK_SIZE_4 = h`02 000000 000004 01 00000000  00000004`;
const setChunkSize4 = msg(2, 1, 0, 0, '00000004');

interface Vector {
  name: string;
  bytes: Buffer;
  decoded: RtmpMessage[];
  /** false when the bytes are a form our encoder never produces (decode direction only) */
  encodable: boolean;
}

const vectors: Vector[] = [
  {
    name: '[conf 8] csid 3 uses the 1-byte basic header',
    bytes: h`03 000010 000003 08 01000000  af01aa`,
    decoded: [msg(3, 8, 0x10, 1, 'af01aa')],
    encodable: true,
  },
  {
    name: '[conf 8] csid 63 is the largest 1-byte basic header',
    bytes: h`3f 000010 000003 08 01000000  af01aa`,
    decoded: [msg(63, 8, 0x10, 1, 'af01aa')],
    encodable: true,
  },
  {
    name: '[conf 8] csid 64 uses the 2-byte basic header',
    bytes: h`00 00  000010 000003 08 01000000  af01aa`,
    decoded: [msg(64, 8, 0x10, 1, 'af01aa')],
    encodable: true,
  },
  {
    name: '[conf 8] csid 319 is the largest 2-byte basic header',
    bytes: h`00 ff  000010 000003 08 01000000  af01aa`,
    decoded: [msg(319, 8, 0x10, 1, 'af01aa')],
    encodable: true,
  },
  {
    name: '[conf 8] csid 320 uses the 3-byte basic header, low byte first',
    bytes: h`01 00 01  000010 000003 08 01000000  af01aa`,
    decoded: [msg(320, 8, 0x10, 1, 'af01aa')],
    encodable: true,
  },
  {
    name: '[conf 8] csid 65599 is the largest 3-byte basic header',
    bytes: h`01 ff ff  000010 000003 08 01000000  af01aa`,
    decoded: [msg(65599, 8, 0x10, 1, 'af01aa')],
    encodable: true,
  },
  {
    name: '[conf 8] type-3 continuations repeat the 3-byte basic header',
    bytes: Buffer.concat([SET_CHUNK_SIZE_4, h`01 00 01  000005 000006 08 01000000  a1a2a3a4  c1 00 01  a5a6`]),
    decoded: [setChunkSize4, msg(320, 8, 5, 1, 'a1a2a3a4a5a6')],
    encodable: true,
  },
  {
    name: '[conf 10] type 0 carries the message stream id little-endian',
    bytes: h`04 000000 000001 12 04030201  02`,
    decoded: [msg(4, 18, 0, 0x01020304, '02')],
    encodable: true,
  },
  {
    name: '[conf 10] header types 1, 2 and 3 compress messages on one chunk stream',
    bytes: h`04 0003e8 000002 08 01000000  aa01
             84 000017  aa02
             c4  aa03
             44 000017 000003 08  aa0404
             44 00001f 000003 09  170000
             04 00044c 000001 08 02000000  ff`,
    decoded: [
      msg(4, 8, 1000, 1, 'aa01'),
      msg(4, 8, 1023, 1, 'aa02'),
      msg(4, 8, 1046, 1, 'aa03'),
      msg(4, 8, 1069, 1, 'aa0404'),
      msg(4, 9, 1100, 1, '170000'),
      msg(4, 8, 1100, 2, 'ff'),
    ],
    encodable: true,
  },
  {
    name: '[conf 11] a type-3 header starting a message after a type 0 adds the type-0 timestamp as delta',
    bytes: h`04 000064 000001 08 01000000  aa  c4 bb  c4 cc`,
    decoded: [msg(4, 8, 100, 1, 'aa'), msg(4, 8, 200, 1, 'bb'), msg(4, 8, 300, 1, 'cc')],
    encodable: false,
  },
  {
    name: '[conf 11] the encoder uses a type 3 after a type 0 only at timestamp 0, where both readings agree',
    bytes: h`04 000000 000001 08 01000000  aa  c4 bb  84 000014 cc  c4 dd  04 00000a 000001 08 01000000  ee  84 00000a ff`,
    decoded: [
      msg(4, 8, 0, 1, 'aa'),
      msg(4, 8, 0, 1, 'bb'),
      msg(4, 8, 20, 1, 'cc'),
      msg(4, 8, 40, 1, 'dd'),
      msg(4, 8, 10, 1, 'ee'),
      msg(4, 8, 20, 1, 'ff'),
    ],
    encodable: true,
  },
  {
    name: '[conf 12] [conf 13] extended timestamp in a type-0 header is repeated on the continuation chunk',
    bytes: Buffer.concat([SET_CHUNK_SIZE_4, h`06 ffffff 000006 09 01000000 01000000  17010000  c6 01000000  0001`]),
    decoded: [setChunkSize4, msg(6, 9, 0x01000000, 1, '170100000001')],
    encodable: true,
  },
  {
    name: '[conf 14] extended timestamp accepted when a type-3 continuation omits it',
    bytes: Buffer.concat([SET_CHUNK_SIZE_4, h`06 ffffff 000006 09 01000000 01000000  17010000  c6  0001`]),
    decoded: [setChunkSize4, msg(6, 9, 0x01000000, 1, '170100000001')],
    encodable: false,
  },
  {
    name: '[conf 14] a continuation body that starts like the extended timestamp but differs is body',
    bytes: Buffer.concat([SET_CHUNK_SIZE_4, h`06 ffffff 000008 09 01000000 01000000  aabbccdd  c6  01000506`]),
    decoded: [setChunkSize4, msg(6, 9, 0x01000000, 1, 'aabbccdd01000506')],
    encodable: false,
  },
  {
    name: '[conf 14] repeated extended timestamp accepted when it is the absolute timestamp after a type-1 header',
    bytes: Buffer.concat([
      SET_CHUNK_SIZE_4,
      h`06 000010 000001 09 01000000  aa
        46 ffffff 000006 09 01000000  17010000  c6 01000010  0001`,
    ]),
    decoded: [setChunkSize4, msg(6, 9, 0x10, 1, 'aa'), msg(6, 9, 0x01000010, 1, '170100000001')],
    encodable: false,
  },
  {
    name: '[conf 12] extended deltas in type-2 and type-1 headers and type-3 messages, boundary 0xFFFFFF',
    bytes: h`04 000000 000001 08 01000000  aa
             84 ffffff 01000000  bb
             c4 01000000  cc
             44 ffffff 000002 08 00ffffff  dddd
             44 fffffe 000001 08  ee`,
    decoded: [
      msg(4, 8, 0, 1, 'aa'),
      msg(4, 8, 0x01000000, 1, 'bb'),
      msg(4, 8, 0x02000000, 1, 'cc'),
      msg(4, 8, 0x02ffffff, 1, 'dddd'),
      msg(4, 8, 0x03fffffd, 1, 'ee'),
    ],
    encodable: true,
  },
  {
    name: '[conf 15] timestamps wrap at 2^32',
    bytes: h`04 ffffff 000001 08 01000000 fffffff0  aa  84 000020  bb  c4  cc`,
    decoded: [msg(4, 8, 0xfffffff0, 1, 'aa'), msg(4, 8, 0x10, 1, 'bb'), msg(4, 8, 0x30, 1, 'cc')],
    encodable: true,
  },
  {
    name: '[conf 16] a new chunk size applies from the chunk after the Set Chunk Size message',
    bytes: h`03 000000 00000a 14 00000000  00010203040506070809
             02 000000 000004 01 00000000  00000004
             c3 00010203  c3 04050607  c3 0809
             c2 00000008
             c3 0001020304050607  c3 0809`,
    decoded: [
      msg(3, 20, 0, 0, '00010203040506070809'),
      setChunkSize4,
      msg(3, 20, 0, 0, '00010203040506070809'),
      msg(2, 1, 0, 0, '00000008'),
      msg(3, 20, 0, 0, '00010203040506070809'),
    ],
    encodable: true,
  },
  {
    name: '[conf 17] chunk size 1 splits every byte into its own chunk',
    bytes: h`02 000000 000004 01 00000000  00000001  03 000000 000003 14 00000000 aa c3 bb c3 cc`,
    decoded: [msg(2, 1, 0, 0, '00000001'), msg(3, 20, 0, 0, 'aabbcc')],
    encodable: true,
  },
  {
    name: '[conf 21] Abort discards the partial message on its chunk stream',
    bytes: Buffer.concat([
      SET_CHUNK_SIZE_4,
      h`06 000000 000008 09 01000000  11223344
        42 000000 000004 02  00000006
        c6 55667788  c6 99aabbcc`,
    ]),
    decoded: [setChunkSize4, msg(2, 2, 0, 0, '00000006'), msg(6, 9, 0, 1, '5566778899aabbcc')],
    encodable: false,
  },
  {
    name: '[conf 19] messages interleaved across chunk streams are reassembled',
    bytes: Buffer.concat([
      SET_CHUNK_SIZE_4,
      h`04 000000 000006 08 01000000  a1a2a3a4
        06 000005 000006 09 01000000  b1b2b3b4
        c4 a5a6
        c6 b5b6`,
    ]),
    decoded: [setChunkSize4, msg(4, 8, 0, 1, 'a1a2a3a4a5a6'), msg(6, 9, 5, 1, 'b1b2b3b4b5b6')],
    encodable: false,
  },
  {
    name: '[conf 20] zero-length messages are legal, also as type-3 messages',
    bytes: h`04 000000 000000 08 01000000  c4  44 00000a 000001 08 aa`,
    decoded: [msg(4, 8, 0, 1, ''), msg(4, 8, 0, 1, ''), msg(4, 8, 10, 1, 'aa')],
    encodable: true,
  },
  {
    name: '[conf 62] the 5-byte AVC end of sequence message',
    bytes: h`06 000fa0 000005 09 01000000  1702000000`,
    decoded: [msg(6, 9, 4000, 1, '1702000000')],
    encodable: true,
  },
  {
    name: '[conf 22] librtmp opens csid 2 with a type-1 header',
    bytes: h`42 000000 000006 04  0006 00000010`,
    decoded: [msg(2, 4, 0, 0, '000600000010')],
    encodable: false,
  },
];

describe('chunk byte vectors', () => {
  for (const v of vectors) {
    it(`${v.name} (decode)`, () => {
      expect(decodeOk(v.bytes)).toEqual(v.decoded);
    });
    if (v.encodable) {
      it(`${v.name} (encode)`, () => {
        expect(encodeStream(v.decoded).toString('hex')).toBe(v.bytes.toString('hex'));
      });
    }
  }
});

describe('ChunkDecoder behaviour', () => {
  it('[conf 9] allocates chunk stream state lazily and accepts far more than 32 chunk streams', () => {
    const encoder = new ChunkEncoder();
    const sent = Array.from({ length: 300 }, (_, i) => msg(3 + i * 200, 9, i, 1, Buffer.from([i & 0xff, 1, 2])));
    const bytes = Buffer.concat(sent.map((m) => encoder.encode(m)));
    const out = decodeEveryWay(bytes);
    expect(out.error).toBeNull();
    expect(out.messages).toEqual(sent);
    expect(out.decoder.chunkStreamCount).toBe(300);
  });

  it('[conf 9] a new chunk stream beyond maxChunkStreams fails with CHUNK_TOO_MANY_STREAMS', () => {
    const bytes = h`03 000000 000001 08 01000000 aa  04 000000 000001 08 01000000 bb  05 000000 000001 08 01000000 cc`;
    expect(decodeError(bytes, { maxChunkStreams: 3 })).toBeNull();
    const out = decodeEveryWay(bytes, { maxChunkStreams: 2 });
    expect(out.error).toBe('CHUNK_TOO_MANY_STREAMS');
    expect(out.messages.map((m) => m.csid)).toEqual([3, 4]);
  });

  it('[conf 10] type-1, type-2 and type-3 headers on a chunk stream that never had a type 0 fail', () => {
    expect(decodeError(h`84 000010 aa`)).toBe('CHUNK_NO_PREVIOUS_HEADER');
    expect(decodeError(h`c4 aa`)).toBe('CHUNK_NO_PREVIOUS_HEADER');
    expect(decodeError(h`44 000010 000001 08 aa`)).toBe('CHUNK_NO_PREVIOUS_HEADER');
  });

  it('[conf 17] accepts Set Chunk Size 0x7FFFFFFF and keeps memory bounded by the message size', () => {
    const payload = Buffer.alloc(300, 7);
    const bytes = Buffer.concat([
      h`02 000000 000004 01 00000000  7fffffff`,
      h`06 000000 00012c 09 01000000`,
      payload.subarray(0, 100),
    ]);
    const messages: RtmpMessage[] = [];
    const decoder = new ChunkDecoder((m) => messages.push(m));
    decoder.push(bytes);
    expect(decoder.chunkSize).toBe(0x7fffffff);
    expect(decoder.pendingBytes).toBe(300);
    decoder.push(payload.subarray(100));
    expect(decoder.pendingBytes).toBe(0);
    expect(messages[1]?.payload).toEqual(payload);
  });

  it('[conf 17] Set Chunk Size 0, with the top bit set, or above maxChunkSize fails with CHUNK_SIZE_INVALID', () => {
    expect(decodeError(h`02 000000 000004 01 00000000  00000000`)).toBe('CHUNK_SIZE_INVALID');
    expect(decodeError(h`02 000000 000004 01 00000000  80000000`)).toBe('CHUNK_SIZE_INVALID');
    expect(decodeError(h`02 000000 000004 01 00000000  00010001`, { maxChunkSize: 65536 })).toBe('CHUNK_SIZE_INVALID');
    expect(decodeError(h`02 000000 000004 01 00000000  00010000`, { maxChunkSize: 65536 })).toBeNull();
  });

  it('[conf 17] a Set Chunk Size message shorter than 4 bytes fails with MESSAGE_MALFORMED', () => {
    expect(decodeError(h`02 000000 000002 01 00000000  0010`)).toBe('MESSAGE_MALFORMED');
  });

  it('[conf 16] the message callback already sees the new chunk size', () => {
    const seen: number[] = [];
    const decoder = new ChunkDecoder(() => seen.push(decoder.chunkSize));
    decoder.push(Buffer.concat([h`03 000000 000001 14 00000000 05`, SET_CHUNK_SIZE_4]));
    expect(seen).toEqual([128, 4]);
  });

  it('[conf 19] a message longer than maxMessageSize fails with MESSAGE_TOO_LARGE before any body arrives', () => {
    const out = decodeEveryWay(h`06 000000 000401 09 01000000`, { maxMessageSize: 1024 });
    expect(out.error).toBe('MESSAGE_TOO_LARGE');
    expect(out.decoder.pendingBytes).toBe(0);
    expect(decodeError(h`06 000000 000400 09 01000000`, { maxMessageSize: 1024 })).toBeNull();
  });

  it('[conf 19] partial messages across chunk streams are bounded by maxPendingBytes', () => {
    const bytes = Buffer.concat([
      SET_CHUNK_SIZE_4,
      h`04 000000 000200 08 01000000  a1a2a3a4`,
      h`06 000000 000200 09 01000000  b1b2b3b4`,
    ]);
    expect(decodeError(bytes, { maxPendingBytes: 1024 })).toBeNull();
    const out = decodeEveryWay(bytes, { maxPendingBytes: 1000 });
    expect(out.error).toBe('PENDING_BYTES_EXCEEDED');
    expect(out.decoder.pendingBytes).toBeLessThanOrEqual(1000);
  });

  it('a declared 8 MB message costs what arrived, not its declared length (memory fill with an unfinished message)', () => {
    const length = 8 * 1024 * 1024;
    const decoder = new ChunkDecoder(() => undefined);
    const header = Buffer.alloc(12);
    header[0] = 0x06;
    header.writeUIntBE(length, 4, 3);
    header[7] = 9;
    header.writeUInt32LE(1, 8);
    decoder.push(Buffer.concat([h`02 000000 000004 01 00000000  7fffffff`, header]));
    // the header alone allocates nothing
    expect(decoder.pendingBytes).toBe(0);
    const piece = Buffer.alloc(64 * 1024, 0x5a);
    let sent = 0;
    while (sent + piece.length < length) {
      decoder.push(piece);
      sent += piece.length;
      // at most double what arrived (the buffer doubles), never the declared length early
      expect(decoder.pendingBytes).toBeLessThanOrEqual(Math.max(2 * sent, INITIAL_REASSEMBLY_BYTES));
      expect(decoder.pendingBytes).toBeGreaterThanOrEqual(sent);
    }
    decoder.push(piece.subarray(0, length - sent - 1));
    expect(decoder.pendingBytes).toBe(length);
  });

  it('a message that arrives in one push is reassembled in one buffer of its exact length, whatever its chunking', () => {
    const payload = Buffer.alloc(100_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 13) & 0xff;
    const wire = encodeMessageShared({ csid: 6, type: 9, timestamp: 40, streamId: 1, payload }, 4096);
    const out: RtmpMessage[] = [];
    const decoder = new ChunkDecoder((m) => out.push(m));
    decoder.push(Buffer.concat([h`02 000000 000004 01 00000000  00001000`, wire]));
    expect(out[1]!.payload.equals(payload)).toBe(true);
    expect(out[1]!.payload.buffer.byteLength).toBe(100_000);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('setMaxMessageSize bounds messages that start afterwards (command-sized until a publish is allowed)', () => {
    const decoder = new ChunkDecoder(() => undefined, { limits: { maxMessageSize: 64 * 1024 } });
    expect(decoder.maxMessageSize).toBe(64 * 1024);
    expect(() => decoder.push(h`06 000000 010001 09 01000000`)).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
    const raised = new ChunkDecoder(() => undefined, { limits: { maxMessageSize: 64 * 1024 } });
    raised.setMaxMessageSize(8 * 1024 * 1024);
    raised.push(h`06 000000 7fffff 09 01000000  aabbccdd`);
    expect(raised.pendingBytes).toBe(INITIAL_REASSEMBLY_BYTES);
  });

  it('[conf 21] Abort releases the pending bytes of the dropped message', () => {
    const decoder = new ChunkDecoder(() => undefined);
    decoder.push(Buffer.concat([SET_CHUNK_SIZE_4, h`06 000000 000100 09 01000000  11223344`]));
    expect(decoder.pendingBytes).toBe(256);
    decoder.push(h`42 000000 000004 02  00000006`);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('[conf 19] a full header in the middle of a message must keep its length', () => {
    const same = Buffer.concat([SET_CHUNK_SIZE_4, h`06 000000 000006 09 01000000 a1a2a3a4  86 000000 a5a6`]);
    expect(decodeOk(same)).toEqual([setChunkSize4, msg(6, 9, 0, 1, 'a1a2a3a4a5a6')]);
    const changed = Buffer.concat([SET_CHUNK_SIZE_4, h`06 000000 000006 09 01000000 a1a2a3a4  46 000000 000008 09 a5a6`]);
    expect(decodeError(changed)).toBe('MESSAGE_LENGTH_CHANGED');
  });

  it('stays failed after an error and counts every byte pushed', () => {
    const decoder = new ChunkDecoder(() => undefined);
    expect(() => decoder.push(h`c4 aa`)).toThrowError(expect.objectContaining({ code: 'CHUNK_NO_PREVIOUS_HEADER' }));
    expect(decoder.bytesReceived).toBe(2);
    expect(() => decoder.push(h`04 000000 000001 08 01000000 aa`)).toThrowError(
      expect.objectContaining({ code: 'CHUNK_NO_PREVIOUS_HEADER' }),
    );
  });

  it('a throwing message callback leaves the decoder failed with CHUNK_DECODER_FAILED', () => {
    const decoder = new ChunkDecoder(() => {
      throw new TypeError('consumer bug');
    });
    expect(() => decoder.push(h`04 000000 000001 08 01000000 aa`)).toThrow(TypeError);
    expect(() => decoder.push(h`c4 bb`)).toThrowError(expect.objectContaining({ code: 'CHUNK_DECODER_FAILED' }));
  });

  it('[conf 24] bytesReceived is the unwrapped total of pushed bytes', () => {
    const decoder = new ChunkDecoder(() => undefined);
    decoder.push(h`04 000000 000003 08 01000000 aa`);
    decoder.push(h`bbcc`);
    decoder.push(Buffer.alloc(0));
    expect(decoder.bytesReceived).toBe(15);
  });
});

describe('ChunkEncoder and encodeMessageShared', () => {
  it('[conf 13] encodeMessageShared writes type 0 then type-3 continuations repeating the extended timestamp', () => {
    const out = encodeMessageShared(msg(6, 9, 0x01000000, 1, '170100000001'), 4);
    expect(out.toString('hex')).toBe(h`06 ffffff 000006 09 01000000 01000000  17010000  c6 01000000  0001`.toString('hex'));
  });

  it('[conf 8] encodeMessageShared uses the 3-byte basic header on every chunk of csid 320', () => {
    const out = encodeMessageShared(msg(320, 8, 5, 1, 'aabbcc'), 2);
    expect(out.toString('hex')).toBe(h`01 0001 000005 000003 08 01000000 aabb  c1 0001 cc`.toString('hex'));
    expect(out.length).toBe(3 + 11 + 2 + 3 + 1);
  });

  it('encodeMessageShared always uses type 0, so the same bytes decode on any connection', () => {
    const m = msg(6, 9, 40, 1, 'aabb');
    const shared = encodeMessageShared(m, 128);
    expect(decodeOk(Buffer.concat([shared, shared]))).toEqual([m, m]);
  });

  it('[conf 10] a timestamp going backwards is sent with a type-0 header', () => {
    const encoder = new ChunkEncoder();
    encoder.encode(msg(4, 8, 1000, 1, 'aa'));
    const back = encoder.encode(msg(4, 8, 900, 1, 'bb'));
    expect(back.toString('hex')).toBe(h`04 000384 000001 08 01000000 bb`.toString('hex'));
  });

  it('reset(csid) makes the next message on that chunk stream a type 0', () => {
    const encoder = new ChunkEncoder();
    encoder.encode(msg(4, 8, 10, 1, 'aa'));
    expect(encoder.encode(msg(4, 8, 20, 1, 'bb'))[0]! >> 6).toBe(2);
    encoder.reset(4);
    expect(encoder.encode(msg(4, 8, 30, 1, 'cc')).toString('hex')).toBe(h`04 00001e 000001 08 01000000 cc`.toString('hex'));
  });

  it('setChunkSize applies to the next encode and the chunkSize property reads it back', () => {
    const encoder = new ChunkEncoder(2);
    expect(encoder.encode(msg(3, 20, 0, 0, 'aabbcc')).toString('hex')).toBe(h`03 000000 000003 14 00000000 aabb c3 cc`.toString('hex'));
    encoder.setChunkSize(4096);
    expect(encoder.chunkSize).toBe(4096);
    expect(encoder.encode(msg(3, 20, 0, 0, 'aabbcc')).toString('hex')).toBe(h`c3 aabbcc`.toString('hex'));
    encoder.chunkSize = 1;
    expect(encoder.encode(msg(3, 20, 0, 0, 'aabb')).toString('hex')).toBe(h`43 000000 000002 14 aa c3 bb`.toString('hex'));
  });

  it('rejects invalid chunk sizes, csids and oversized payloads with typed errors', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (err) {
        return err instanceof RtmpError ? err.code : 'not an RtmpError';
      }
      return undefined;
    };
    expect(code(() => new ChunkEncoder(0))).toBe('CHUNK_SIZE_INVALID');
    expect(code(() => new ChunkEncoder().setChunkSize(0x80000000))).toBe('CHUNK_SIZE_INVALID');
    expect(code(() => encodeMessageShared(msg(3, 20, 0, 0, 'aa'), 0))).toBe('CHUNK_SIZE_INVALID');
    expect(code(() => new ChunkEncoder().encode(msg(1, 20, 0, 0, 'aa')))).toBe('CHUNK_BAD_CSID');
    expect(code(() => encodeMessageShared(msg(65600, 20, 0, 0, 'aa'), 128))).toBe('CHUNK_BAD_CSID');
    expect(code(() => encodeMessageShared(msg(6, 9, 0, 1, Buffer.allocUnsafe(0x1000000)), 65536))).toBe('MESSAGE_TOO_LARGE');
  });
});

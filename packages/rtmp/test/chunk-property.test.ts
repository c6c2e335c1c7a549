import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkDecoder, ChunkEncoder, encodeMessageShared, setChunkSizeMessage, type RtmpMessage } from '@rtmp-cluster/rtmp';

/** Splits `bytes` at the given cut points (fractions of its length) and decodes the pieces. */
function decodeSplit(bytes: Buffer, cuts: number[]): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const decoder = new ChunkDecoder((m) => out.push(m));
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  let pos = 0;
  for (const p of [...points, bytes.length]) {
    decoder.push(bytes.subarray(pos, p));
    pos = p;
  }
  expect(decoder.pendingBytes).toBe(0);
  return out;
}

// Types 1 and 2 change how the decoder reads the following chunks, so random
// messages use every other type; chunk size changes are inserted explicitly.
const messageType = fc.integer({ min: 3, max: 255 });
const csid = fc.oneof(
  fc.constantFrom(2, 3, 4, 5, 6, 63, 64, 319, 320, 65599),
  fc.integer({ min: 2, max: 65599 }),
);
const timestamp = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0xfffff0, max: 0x1000010 }),
  fc.integer({ min: 0, max: 100_000 }),
);
const message: fc.Arbitrary<RtmpMessage> = fc.record({
  csid,
  type: messageType,
  timestamp,
  streamId: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 0xffffffff })),
  payload: fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)),
});
// Bursts on a few chunk streams with small timestamp steps exercise header compression (types 1/2/3).
const burst: fc.Arbitrary<RtmpMessage[]> = fc
  .tuple(
    fc.constantFrom(3, 4, 6, 64, 320),
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.constantFrom(0, 20, 23, 0xffffff, 0x1000000),
    fc.array(fc.tuple(fc.constantFrom(8, 9), fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 8 }),
  )
  .map(([c, start, step, items]) => {
    let ts = start;
    return items.map(([type, len, jump]) => {
      ts = (ts + (jump ? step * 2 : step)) >>> 0;
      return { csid: c, type, timestamp: ts, streamId: 1, payload: Buffer.alloc(len * 50, len) };
    });
  });
const chunkSize = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(128, 4096, 65536, 0x7fffffff));
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 });
const stream = fc.array(fc.oneof(message.map((m) => [m]), burst), { maxLength: 12 }).map((groups) => groups.flat());

describe('chunk encode/decode round trip (property)', () => {
  it('[conf 10] [conf 16] ChunkEncoder output decodes to the input for any messages, chunk sizes and splits', () => {
    fc.assert(
      fc.property(stream, chunkSize, chunkSize, cuts, (messages, first, second, cutPoints) => {
        const encoder = new ChunkEncoder();
        const sent: RtmpMessage[] = [];
        const parts: Buffer[] = [];
        const send = (m: RtmpMessage): void => {
          sent.push(m);
          parts.push(encoder.encode(m));
        };
        send(setChunkSizeMessage(first));
        encoder.setChunkSize(first);
        messages.forEach((m, i) => {
          send(m);
          if (i === messages.length >> 1) {
            send(setChunkSizeMessage(second));
            encoder.setChunkSize(second);
          }
        });
        expect(decodeSplit(Buffer.concat(parts), cutPoints)).toEqual(sent);
      }),
      { numRuns: 300 },
    );
  });

  it('[conf 13] encodeMessageShared output decodes to the input for any messages, chunk sizes and splits', () => {
    fc.assert(
      fc.property(stream, chunkSize, cuts, (messages, size, cutPoints) => {
        const scs = setChunkSizeMessage(size);
        const bytes = Buffer.concat([
          encodeMessageShared(scs, 128),
          ...messages.map((m) => encodeMessageShared(m, size)),
        ]);
        expect(decodeSplit(bytes, cutPoints)).toEqual([scs, ...messages]);
      }),
      { numRuns: 300 },
    );
  });

  it('[conf 14] continuations without the repeated extended timestamp decode the same as with it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0xffffff, max: 0xffffffff }),
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 64 }),
        cuts,
        (ts, body, size, cutPoints) => {
          const payload = Buffer.from(body);
          // Avoid bodies whose continuation bytes start like the timestamp: then the reading is ambiguous.
          const tsBytes = Buffer.alloc(4);
          tsBytes.writeUInt32BE(ts);
          for (let off = size; off < payload.length; off += size) {
            const head = payload.subarray(off, off + 4);
            fc.pre(!tsBytes.subarray(0, head.length).equals(head));
          }
          const m: RtmpMessage = { csid: 6, type: 9, timestamp: ts, streamId: 1, payload };
          const withExt = encodeMessageShared(m, size);
          // Same chunks with the 4 repeated bytes removed after every continuation basic header.
          const parts: Buffer[] = [withExt.subarray(0, 16 + Math.min(size, payload.length))];
          let pos = 16 + Math.min(size, payload.length);
          while (pos < withExt.length) {
            parts.push(withExt.subarray(pos, pos + 1));
            const n = Math.min(size, withExt.length - pos - 5);
            parts.push(withExt.subarray(pos + 5, pos + 5 + n));
            pos += 5 + n;
          }
          const scs = setChunkSizeMessage(size);
          const prefix = encodeMessageShared(scs, 128);
          expect(decodeSplit(Buffer.concat([prefix, ...parts]), cutPoints)).toEqual([scs, m]);
          expect(decodeSplit(Buffer.concat([prefix, withExt]), cutPoints)).toEqual([scs, m]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

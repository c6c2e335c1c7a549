import { describe, expect, it } from 'vitest';
import {
  ChunkDecoder,
  ChunkEncoder,
  RtmpError,
  encodeMessageShared,
  parseProtocolControl,
  parseUserControl,
  setChunkSizeMessage,
  splitAggregate,
  type ProtocolLimits,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';
import { prng, randomBytes, randomPieces } from './support/random.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);

const limits: ProtocolLimits = {
  maxChunkSize: 1 << 20,
  maxMessageSize: 64 * 1024,
  maxChunkStreams: 16,
  maxPendingBytes: 128 * 1024,
  maxAmfDepth: 32,
  maxAmfItems: 1000,
};

/** A plausible chunk stream: real messages from both encoders, some chunk size changes. */
function validStream(rnd: () => number): Buffer {
  const encoder = new ChunkEncoder();
  const parts: Buffer[] = [];
  const count = 1 + Math.floor(rnd() * 12);
  let ts = Math.floor(rnd() * 0xffffffff);
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.15) {
      const size = 1 + Math.floor(rnd() * 300);
      parts.push(encoder.encode(setChunkSizeMessage(size)));
      encoder.setChunkSize(size);
      continue;
    }
    ts = (ts + Math.floor(rnd() * (rnd() < 0.1 ? 0x2000000 : 100))) >>> 0;
    // A csid is used either with the stateful encoder or with the shared one, never both (see encodeMessageShared).
    const shared = rnd() < 0.3;
    const m: RtmpMessage = {
      csid: (shared ? [5, 7, 320, 65599] : [2, 3, 4, 6, 63, 64])[Math.floor(rnd() * (shared ? 4 : 6))] as number,
      type: [4, 8, 9, 18, 20, 22][Math.floor(rnd() * 6)] as number,
      timestamp: ts,
      streamId: rnd() < 0.5 ? 1 : 0,
      payload: randomBytes(rnd, Math.floor(rnd() * (rnd() < 0.1 ? 3000 : 200))),
    };
    parts.push(shared ? encodeMessageShared(m, encoder.chunkSize) : encoder.encode(m));
  }
  return Buffer.concat(parts);
}

function mutate(rnd: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < edits && b.length > 0; i++) {
    const at = Math.floor(rnd() * b.length);
    const op = Math.floor(rnd() * 5);
    if (op === 0) b[at] = Math.floor(rnd() * 256);
    else if (op === 1) b[at] = (b[at] as number) ^ (1 << Math.floor(rnd() * 8));
    else if (op === 2) b = Buffer.concat([b.subarray(0, at), randomBytes(rnd, 1 + Math.floor(rnd() * 8)), b.subarray(at)]);
    else if (op === 3) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rnd() * 8)))]);
    else b = b.subarray(0, at);
  }
  return b;
}

/** Feeds `bytes` in random pieces; returns the RtmpError code or null. Anything else escaping fails the test. */
function feed(rnd: () => number, bytes: Buffer): string | null {
  const decoder = new ChunkDecoder(
    (m) => {
      expect(m.payload.length).toBeLessThanOrEqual(limits.maxMessageSize);
      // Exercise the message parsers on whatever comes out: they may only throw RtmpError.
      try {
        if (m.type === 22) splitAggregate(m, limits);
        else if (m.type === 4) parseUserControl(m);
        else if (m.type >= 1 && m.type <= 6) parseProtocolControl(m);
      } catch (err) {
        if (!(err instanceof RtmpError)) throw err;
      }
    },
    { limits },
  );
  try {
    for (const piece of randomPieces(bytes, () => 1 + Math.floor(rnd() * (rnd() < 0.3 ? 4 : 600)))) {
      decoder.push(piece);
      expect(decoder.pendingBytes).toBeLessThanOrEqual(limits.maxPendingBytes);
      expect(decoder.chunkStreamCount).toBeLessThanOrEqual(limits.maxChunkStreams);
    }
    expect(decoder.bytesReceived).toBe(bytes.length);
    return null;
  } catch (err) {
    if (err instanceof RtmpError) {
      // Dead after a throw: the same error again, whatever comes next.
      expect(() => decoder.push(Buffer.from([3]))).toThrow(err);
      return err.code;
    }
    throw err;
  }
}

describe('fuzz: chunk decoder and message parsers', () => {
  it(`fuzz [conf 17] [conf 19] random and mutated chunk streams only throw RtmpError and stay within bounds (${RUNS} runs)`, () => {
    const codes = new Map<string, number>();
    const started = Date.now();
    for (let run = 0; run < RUNS; run++) {
      const seed = 0x5eed0000 + run;
      const rnd = prng(seed);
      const kind = run % 3;
      const bytes =
        kind === 0 ? randomBytes(rnd, Math.floor(rnd() * 2000)) : kind === 1 ? mutate(rnd, validStream(rnd)) : validStream(rnd);
      let code: string | null;
      try {
        code = feed(rnd, bytes);
      } catch (err) {
        throw new Error(`seed ${seed}: ${String(err)}`);
      }
      if (kind === 2) expect([seed, code]).toEqual([seed, null]);
      codes.set(code ?? 'ok', (codes.get(code ?? 'ok') ?? 0) + 1);
    }
    // Shows the fuzzer reaches both clean decodes and several distinct error paths.
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(Math.max(60_000, RUNS * 50));
  });

  it('fuzz random payloads through parseProtocolControl, parseUserControl and splitAggregate only throw RtmpError', () => {
    const rnd = prng(0xa66);
    for (let run = 0; run < RUNS; run++) {
      const payload = randomBytes(rnd, Math.floor(rnd() * 64));
      for (const [type, parse] of [
        [22, (m: RtmpMessage) => splitAggregate(m, limits)],
        [4, parseUserControl],
        [1 + Math.floor(rnd() * 6), parseProtocolControl],
      ] as const) {
        try {
          parse({ csid: 2, type, timestamp: 0, streamId: 0, payload });
        } catch (err) {
          if (!(err instanceof RtmpError)) throw new Error(`run ${run}, type ${type}: ${String(err)}`);
        }
      }
    }
  });
});

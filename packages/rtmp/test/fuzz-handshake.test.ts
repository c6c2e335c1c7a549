/**
 * Fuzzing the handshake state machines: random bytes and mutations of what real clients and
 * nginx-rtmp sent (fixtures/captures), fed in random pieces. ServerHandshake and ClientHandshake
 * may only throw RtmpError, answer with fixed-size packets (nothing sized by the input), finish
 * exactly at the handshake boundary and never take long on one input.
 */
import { describe, expect, it } from 'vitest';
import { ClientHandshake, RtmpError, ServerHandshake } from '@rtmp-cluster/rtmp';
import { CAPTURE_NAMES, readCapture } from './support/captures.js';
import { signC1 } from './support/handshakeDigest.js';
import { int, prng, randomBytes, randomPieces } from './support/random.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);
/** Generous per-input bound: the point is "no hang", the machine is noisy. */
const MAX_MS_PER_INPUT = 1000;
const HANDSHAKE_BYTES = 1 + 1536 * 2;

const clientBytes = CAPTURE_NAMES.map((n) => readCapture(n, 'c2s').subarray(0, HANDSHAKE_BYTES + 400));
const serverBytes = CAPTURE_NAMES.map((n) => readCapture(n, 's2c').subarray(0, HANDSHAKE_BYTES + 400));

/** A C1 with a valid FP9 digest at either scheme, so mutations start from the digest path. */
function signedC0C1(rnd: () => number): Buffer {
  const c1 = randomBytes(rnd, 1536);
  signC1(c1, rnd() < 0.5 ? 0 : 1);
  return Buffer.concat([Buffer.from([3]), c1, randomBytes(rnd, 1536 + int(rnd, 64))]);
}

function mutate(rnd: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + int(rnd, 5);
  for (let i = 0; i < edits && b.length > 0; i++) {
    const at = rnd() < 0.3 ? int(rnd, Math.min(b.length, 12)) : rnd() < 0.5 ? 770 + int(rnd, 8) : int(rnd, b.length);
    const op = int(rnd, 5);
    if (op === 0) b[at % b.length] = int(rnd, 256);
    else if (op === 1) b[at % b.length] = (b[at % b.length] as number) ^ (1 << int(rnd, 8));
    else if (op === 2) b = Buffer.concat([b.subarray(0, at), randomBytes(rnd, 1 + int(rnd, 40)), b.subarray(at)]);
    else if (op === 3) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rnd, 40)))]);
    else b = b.subarray(0, at);
  }
  if (b.length > 0 && rnd() < 0.5) b[0] = 3; // mostly get past the version check
  return b;
}

/** Random pieces of `bytes`, biased towards 1-byte and exact-boundary splits. */
function pieces(rnd: () => number, bytes: Buffer): Buffer[] {
  return randomPieces(bytes, (pos) => {
    const r = rnd();
    return r < 0.2 ? 1 : r < 0.3 ? 1537 - pos : 1 + int(rnd, 2000);
  });
}

interface Outcome {
  code: string | null;
  slowestMs: number;
}

/** Pushes pieces into a handshake; checks every step's shape. `expectedSend` sizes the one answer. */
function drive(
  hs: { push(d: Buffer): { send: Buffer | null; done: boolean; remainder: Buffer }; readonly done: boolean },
  parts: Buffer[],
  total: number,
  answerSize: number,
  doneAt: number,
): Outcome {
  let slowestMs = 0;
  let pushed = 0;
  let answers = 0;
  try {
    for (const part of parts) {
      if (hs.done) break;
      const started = performance.now();
      const step = hs.push(part);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      pushed += part.length;
      if (step.send !== null) {
        answers++;
        expect(step.send.length).toBe(answerSize);
      }
      if (step.done) {
        // finished exactly at the handshake boundary: the rest of this push is chunk stream
        expect(pushed - step.remainder.length).toBe(doneAt);
      } else {
        expect(step.remainder.length).toBe(0);
      }
    }
    expect(answers).toBeLessThanOrEqual(1);
    if (total >= doneAt && hs.done) expect(answers).toBe(1);
    return { code: null, slowestMs };
  } catch (err) {
    if (err instanceof RtmpError) return { code: err.code, slowestMs };
    throw err;
  }
}

describe('fuzz: handshake', () => {
  it(`fuzz [conf 1] [conf 2] [conf 7] ServerHandshake: ${RUNS} random and mutated C0/C1/C2 only throw RtmpError, never hang`, () => {
    const codes = new Map<string, number>();
    let slowest = 0;
    for (let run = 0; run < RUNS; run++) {
      const seed = 0x4a5d0000 + run;
      const rnd = prng(seed);
      const kind = run % 4;
      const input =
        kind === 0
          ? Buffer.concat([Buffer.from([rnd() < 0.7 ? 3 : int(rnd, 256)]), randomBytes(rnd, int(rnd, 4000))])
          : kind === 1
            ? mutate(rnd, clientBytes[int(rnd, clientBytes.length)]!)
            : kind === 2
              ? mutate(rnd, signedC0C1(rnd))
              : clientBytes[int(rnd, clientBytes.length)]!;
      let out: Outcome;
      try {
        out = drive(new ServerHandshake(), pieces(rnd, input), input.length, HANDSHAKE_BYTES, HANDSHAKE_BYTES);
      } catch (err) {
        throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
      }
      if (kind === 3) expect([seed, out.code]).toEqual([seed, null]);
      slowest = Math.max(slowest, out.slowestMs);
      codes.set(out.code ?? 'ok', (codes.get(out.code ?? 'ok') ?? 0) + 1);
    }
    // both clean handshakes and refusals were reached
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(codes.get('HANDSHAKE_BAD_VERSION') ?? 0).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(MAX_MS_PER_INPUT);
  });

  it(`fuzz [conf 5] [conf 6] ClientHandshake: ${RUNS} random and mutated S0/S1/S2 only throw RtmpError, never hang`, () => {
    const codes = new Map<string, number>();
    let slowest = 0;
    for (let run = 0; run < RUNS; run++) {
      const seed = 0xc11e0000 + run;
      const rnd = prng(seed);
      const digest = rnd() < 0.5;
      const client = new ClientHandshake({ digest });
      const c0c1 = client.start();
      const kind = run % 4;
      let input: Buffer;
      if (kind === 0) {
        input = Buffer.concat([Buffer.from([rnd() < 0.7 ? 3 : int(rnd, 256)]), randomBytes(rnd, int(rnd, 4000))]);
      } else if (kind === 1) {
        input = mutate(rnd, serverBytes[int(rnd, serverBytes.length)]!);
      } else {
        // a real server's answer to this very C1, mutated (kind 2) or as is (kind 3)
        const answer = new ServerHandshake().push(c0c1).send!;
        const full = Buffer.concat([answer, randomBytes(rnd, int(rnd, 100))]);
        input = kind === 2 ? mutate(rnd, full) : full;
      }
      let out: Outcome;
      try {
        // C2 is sent once S0+S1 are in; the handshake ends after S2
        out = drive(client, pieces(rnd, input), input.length, 1536, HANDSHAKE_BYTES);
      } catch (err) {
        throw new Error(`seed ${seed}: ${String(err)}`, { cause: err });
      }
      if (kind === 3) expect([seed, out.code, client.done]).toEqual([seed, null, true]);
      slowest = Math.max(slowest, out.slowestMs);
      codes.set(out.code ?? 'ok', (codes.get(out.code ?? 'ok') ?? 0) + 1);
    }
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(codes.get('HANDSHAKE_BAD_VERSION') ?? 0).toBeGreaterThan(0);
    expect(codes.get('HANDSHAKE_DIGEST_INVALID') ?? 0).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(MAX_MS_PER_INPUT);
  });
});

/** Seeded randomness for fuzz and split tests: a failure names its seed and replays exactly. */

/** Deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

export const pick = <T>(rnd: () => number, items: readonly T[]): T => items[int(rnd, items.length)] as T;

export function randomBytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(rnd, 256);
  return b;
}

/**
 * Cuts `bytes` into consecutive pieces, as a socket might deliver them;
 * `nextSize` picks each size from the offset reached (at least 1 is taken).
 */
export function randomPieces(bytes: Buffer, nextSize: (pos: number) => number): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const n = Math.max(1, nextSize(pos));
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

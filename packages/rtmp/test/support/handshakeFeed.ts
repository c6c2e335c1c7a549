import type { ServerHandshake } from '@rtmp-cluster/rtmp';

export interface FedHandshake {
  /** Everything the handshake asked to send, in order. */
  sent: Buffer;
  /** How many pushes produced bytes to send. */
  sends: number;
  /** The bytes after the handshake: the remainder of the finishing push and every piece pushed after it. */
  rest: Buffer;
}

/**
 * Pushes `input` into `hs` split at `cuts` (ascending offsets inside the input), the way a socket
 * delivers it in arbitrary reads, and collects what a connection would see.
 */
export function feedInPieces(hs: ServerHandshake, input: Buffer, cuts: readonly number[]): FedHandshake {
  const points = [0, ...cuts, input.length];
  const sent: Buffer[] = [];
  const rest: Buffer[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const piece = input.subarray(points[i], points[i + 1]);
    if (hs.done) {
      rest.push(piece);
      continue;
    }
    const step = hs.push(piece);
    if (step.send) sent.push(step.send);
    if (step.done) rest.push(step.remainder);
  }
  return { sent: Buffer.concat(sent), sends: sent.length, rest: Buffer.concat(rest) };
}

/** Every offset inside a buffer of `length` bytes: feeding with these cuts delivers one byte per push. */
export function everyByte(length: number): number[] {
  return Array.from({ length: length - 1 }, (_, i) => i + 1);
}

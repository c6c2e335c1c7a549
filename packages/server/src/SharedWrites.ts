/**
 * How a flush of the hub's shared Buffers reaches a socket: every player kind (RTMP, HTTP-FLV) writes this
 * way (a WebSocket's frames too), so they cost the same per delivered byte.
 */
import type { Writable } from 'node:stream';

/**
 * Writes `buffers` (shared with other players, never modified) in order and returns their total length.
 * Hot path: called once per flush per player.
 */
export function writeSharedBuffers(socket: Writable, buffers: readonly Buffer[]): number {
  const n = buffers.length;
  if (n === 1) {
    // The common flush (one message in the merge window): a plain write skips the cork bookkeeping.
    const b = buffers[0]!;
    socket.write(b);
    return b.length;
  }
  // One writev per flush: cork collects the writes, uncork hands them to the kernel together. (Measured
  // cheaper than one write of a Buffer.concat, whose copy and garbage cost more than the iovecs.)
  let bytes = 0;
  socket.cork();
  for (let i = 0; i < n; i++) {
    const b = buffers[i]!;
    bytes += b.length;
    socket.write(b);
  }
  socket.uncork();
  return bytes;
}

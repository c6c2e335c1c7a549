/**
 * The memory-fill attack over raw sockets: connections that raise their chunk size and send a large message
 * minus its last byte (or many command-sized ones, each minus its last byte), so that the server must hold
 * what arrived while the message never completes.
 */
import { ClientHandshake, setChunkSizeMessage, encodeMessageShared } from '@rtmp-cluster/rtmp';
import net from 'node:net';

/** Set Chunk Size 0x7fffffff: every message then travels in one chunk. */
export const HUGE_CHUNK_SIZE = encodeMessageShared(setChunkSizeMessage(0x7fffffff), 128);

/** A type-0 chunk header on `csid` (2..63) declaring a video message of `length` bytes on `streamId`. */
export function messageHeader(csid: number, length: number, streamId: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid & 0x3f;
  h.writeUIntBE(length, 4, 3);
  h[7] = 9;
  h.writeUInt32LE(streamId, 8);
  return h;
}

/** Resolves when the socket is closed (by either side). */
function closedOf(socket: net.Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

/** A raw socket that finished the handshake (nothing else). */
export async function handshakeOnly(port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closed = closedOf(socket);
  const hs = new ClientHandshake();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(hs.start()));
    socket.on('data', function onData(d: Buffer) {
      try {
        const step = hs.push(d);
        if (step.send) socket.write(step.send);
        if (step.done) {
          socket.off('data', onData);
          socket.resume();
          resolve();
        }
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.once('close', () => reject(new Error('closed during the handshake')));
  });
  return { socket, closed };
}

/**
 * Writes Set Chunk Size 0x7fffffff and one message of `length` bytes minus its last byte. The body is one
 * shared buffer for every attacker (the test process must not hold what it makes the server hold).
 */
export function sendAllButLastByte(socket: net.Socket, body: Buffer, streamId: number): void {
  socket.write(HUGE_CHUNK_SIZE);
  socket.write(messageHeader(6, body.length, streamId));
  socket.write(body.subarray(0, body.length - 1));
}

/**
 * Many command-sized messages on distinct chunk streams, each missing its last byte: the chunk size is one
 * byte short of the message, so each message's first chunk is all but its last byte, and the next header
 * starts a chunk of another chunk stream.
 */
export function sendManyPartials(socket: net.Socket, body: Buffer, count: number): void {
  socket.write(encodeMessageShared(setChunkSizeMessage(body.length - 1), 128));
  for (let i = 0; i < count; i++) {
    // chunk stream ids 64+ need the two-byte form (fmt 0, csid field 0, id - 64)
    const csid = 64 + i;
    const h = Buffer.alloc(13);
    h[0] = 0x00;
    h[1] = csid - 64;
    h.writeUIntBE(body.length, 5, 3);
    h[8] = 20;
    socket.write(h);
    socket.write(body.subarray(0, body.length - 1));
  }
}

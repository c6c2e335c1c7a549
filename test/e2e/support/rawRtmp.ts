/** Raw TCP clients for bad-input tests: they send exactly the bytes a test wants. */
import net from 'node:net';
import { ClientHandshake } from '@rtmp-cluster/rtmp';

export interface RawClient {
  socket: net.Socket;
  /** 'ip:port' as the server sees this client */
  remote: string;
  received: () => number;
  closed: Promise<void>;
}

export async function rawConnect(port: number, host = '127.0.0.1'): Promise<RawClient> {
  const socket = net.connect(port, host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let received = 0;
  socket.on('data', (d: Buffer) => {
    received += d.length;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, remote: `127.0.0.1:${socket.localPort}`, received: () => received, closed };
}

/** Completes a simple handshake on a fresh raw connection (no connect command). */
export async function rawHandshake(port: number): Promise<RawClient> {
  const c = await rawConnect(port);
  const hs = new ClientHandshake();
  await new Promise<void>((resolve, reject) => {
    c.socket.on('data', (d: Buffer) => {
      try {
        const step = hs.push(d);
        if (step.send) c.socket.write(step.send);
        if (step.done) resolve();
      } catch (err) {
        reject(err as Error);
      }
    });
    c.socket.write(hs.start());
  });
  return c;
}

/** One type-0 chunk header (fmt 0, csid 2..63) followed by `payload` (no splitting: keep it <= 128 bytes). */
export function type0Chunk(csid: number, type: number, declaredLength: number, payload: Buffer, streamId = 0): Buffer {
  const h = Buffer.alloc(12);
  h[0] = csid & 0x3f;
  h.writeUIntBE(0, 1, 3);
  h.writeUIntBE(declaredLength, 4, 3);
  h[7] = type;
  h.writeUInt32LE(streamId, 8);
  return Buffer.concat([h, payload]);
}

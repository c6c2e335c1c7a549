/**
 * A minimal WebSocket client written for the tests (RFC 6455, masked client frames), so WS-FLV is checked
 * by code that shares nothing with the server's framing: it collects the binary messages as one FLV byte
 * stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export interface WsFlvClient {
  /** the FLV bytes received so far (message payloads concatenated) */
  bytes(): Buffer;
  messages: number;
  closed: Promise<{ code: number | undefined }>;
  close(): void;
}

export function connectWsFlv(url: string, headers: Record<string, string> = {}): Promise<WsFlvClient> {
  const u = new URL(url);
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    let pending = Buffer.alloc(0);
    let upgraded = false;
    let closeCode: number | undefined;
    let resolveClosed!: (v: { code: number | undefined }) => void;
    const closed = new Promise<{ code: number | undefined }>((r) => (resolveClosed = r));
    const client: WsFlvClient = {
      bytes: () => Buffer.concat(chunks),
      messages: 0,
      closed,
      close: () => {
        const mask = randomBytes(4);
        const body = Buffer.from([0x03, 0xe8]);
        for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
        socket.end(Buffer.concat([Buffer.from([0x88, 0x80 | body.length]), mask, body]));
      },
    };
    socket.on('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    });
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(head) || !head.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]} ${pending.subarray(end + 4).toString()}`));
          return;
        }
        upgraded = true;
        pending = pending.subarray(end + 4);
        resolve(client);
      }
      for (;;) {
        if (pending.length < 2) return;
        if ((pending[1]! & 0x80) !== 0) throw new Error('server frame masked');
        let len = pending[1]! & 0x7f;
        let pos = 2;
        if (len === 126) {
          if (pending.length < 4) return;
          len = pending.readUInt16BE(2);
          pos = 4;
        } else if (len === 127) {
          if (pending.length < 10) return;
          len = pending.readUInt32BE(6);
          pos = 10;
        }
        if (pending.length < pos + len) return;
        const opcode = pending[0]! & 0x0f;
        const payload = pending.subarray(pos, pos + len);
        if (opcode === 2) {
          chunks.push(Buffer.from(payload));
          client.messages++;
        } else if (opcode === 8) closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
        pending = pending.subarray(pos + len);
      }
    });
    socket.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    socket.on('close', () => resolveClosed({ code: closeCode }));
  });
}

/**
 * The server side of RFC 6455 framing, pure (Buffers in, frames out): the handshake's accept key, unmasked
 * server frames, and a reader for the client's masked frames. A live viewer only sends control frames
 * (close, ping), so the reader refuses large or fragmented data instead of buffering it.
 */
import { createHash } from 'node:crypto';
import { WebError } from '../WebError.js';

export const WsOpcode = { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;

/** Close codes this server sends. */
export const WsCloseCode = { Normal: 1000, GoingAway: 1001, ProtocolError: 1002, TooBig: 1009 } as const;

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A client frame this server refuses; the connection is closed with `closeCode` (RFC 6455 section 7.4). */
export class WebSocketProtocolError extends WebError {
  override readonly name = 'WebSocketProtocolError';
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super('WEBSOCKET_PROTOCOL', message);
  }
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** A valid Sec-WebSocket-Key is 16 random bytes in base64. */
export function isWebSocketKey(key: string | undefined): key is string {
  return key !== undefined && /^[A-Za-z0-9+/]{22}==$/.test(key);
}

/** One unmasked, final server frame (header and payload in one Buffer). */
export function wsFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x80 | opcode;
  if (head === 2) out[1] = n;
  else if (head === 4) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 0x100000000), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(out, head);
  return out;
}

/** Offset of the payload in a frame wsFrame built. */
export function wsPayloadOffset(frame: Buffer): number {
  const len = frame[1]! & 0x7f;
  return len < 126 ? 2 : len === 126 ? 4 : 10;
}

export function wsCloseFrame(code: number, reason = ''): Buffer {
  const body = Buffer.alloc(2 + Buffer.byteLength(reason));
  body.writeUInt16BE(code, 0);
  body.write(reason, 2);
  return wsFrame(WsOpcode.Close, body);
}

export interface WsFrame {
  opcode: number;
  payload: Buffer;
}

/**
 * Reads client frames. Every client frame must be masked (RFC 6455 5.1); data frames are limited to
 * maxPayload bytes, control frames to 125 and must not be fragmented. Violations throw
 * WebSocketProtocolError with the close code to send.
 */
export class WebSocketFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload = 4096) {}

  push(data: Buffer): WsFrame[] {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const frames: WsFrame[] = [];
    for (;;) {
      const buf = this.pending;
      if (buf.length < 2) break;
      const fin = (buf[0]! & 0x80) !== 0;
      if ((buf[0]! & 0x70) !== 0) throw new WebSocketProtocolError(WsCloseCode.ProtocolError, 'reserved bits set (no extension was negotiated)');
      const opcode = buf[0]! & 0x0f;
      if ((buf[1]! & 0x80) === 0) throw new WebSocketProtocolError(WsCloseCode.ProtocolError, 'client frame not masked');
      let len = buf[1]! & 0x7f;
      let pos = 2;
      if (len === 126) {
        if (buf.length < 4) break;
        len = buf.readUInt16BE(2);
        pos = 4;
      } else if (len === 127) {
        if (buf.length < 10) break;
        if (buf.readUInt32BE(2) !== 0) throw new WebSocketProtocolError(WsCloseCode.TooBig, 'frame larger than 4 GiB');
        len = buf.readUInt32BE(6);
        pos = 10;
      }
      const control = opcode >= 8;
      if (control && (len > 125 || !fin)) throw new WebSocketProtocolError(WsCloseCode.ProtocolError, 'control frame too long or fragmented');
      if (!control && opcode !== WsOpcode.Continuation && opcode !== WsOpcode.Text && opcode !== WsOpcode.Binary) {
        throw new WebSocketProtocolError(WsCloseCode.ProtocolError, `unknown opcode ${opcode}`);
      }
      if (len > this.maxPayload) throw new WebSocketProtocolError(WsCloseCode.TooBig, `client frame of ${len} bytes (limit ${this.maxPayload})`);
      if (buf.length < pos + 4 + len) break;
      const mask = buf.subarray(pos, pos + 4);
      const payload = Buffer.from(buf.subarray(pos + 4, pos + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      frames.push({ opcode, payload });
      this.pending = buf.subarray(pos + 4 + len);
    }
    return frames;
  }
}

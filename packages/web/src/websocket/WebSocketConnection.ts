/**
 * A server WebSocket on an upgraded socket, for a stream that flows one way: the server sends prepared
 * frames; from the client only close and ping are meaningful (data frames are read and ignored, within a
 * small limit). Protocol violations close with the RFC 6455 code.
 */
import type { Duplex } from 'node:stream';
import { WebSocketFrameReader, WebSocketProtocolError, WsCloseCode, wsCloseFrame, wsFrame, WsOpcode } from './WebSocketFrames.js';

export class WebSocketConnection {
  private readonly reader = new WebSocketFrameReader();
  private closed = false;
  private readonly closeHandlers: Array<(why: string) => void> = [];

  constructor(readonly socket: Duplex) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => this.finish('peer closed the connection'));
    socket.on('error', (err) => this.finish(`socket error: ${err.message}`));
    socket.on('end', () => socket.end());
  }

  onClose(handler: (why: string) => void): void {
    this.closeHandlers.push(handler);
  }

  /** close handshake from our side; the socket ends once the frame is out */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.end(wsCloseFrame(code, reason.slice(0, 120)));
    // A client that never answers would hold the socket half-open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.finish(reason);
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    let frames;
    try {
      frames = this.reader.push(data);
    } catch (err) {
      if (!(err instanceof WebSocketProtocolError)) throw err;
      this.close(err.closeCode, err.message);
      return;
    }
    for (const f of frames) {
      if (f.opcode === WsOpcode.Close) {
        this.close(WsCloseCode.Normal, 'client closed');
        return;
      }
      if (f.opcode === WsOpcode.Ping) this.socket.write(wsFrame(WsOpcode.Pong, f.payload));
    }
  }

  private finish(why: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers.splice(0)) h(why);
  }
}

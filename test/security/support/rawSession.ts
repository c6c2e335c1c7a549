/**
 * A hostile-but-correct RTMP peer over a plain node:net socket, for attacks that need a valid session first:
 * it completes the handshake, sends connect/createStream/publish/play commands, answers the server's pings
 * (counting them) and otherwise sends exactly the bytes a test writes. Server replies are decoded only as far
 * as the commands need (the connect result, the createStream stream id, status codes).
 */
import net from 'node:net';
import { ChunkDecoder, ChunkEncoder, ClientHandshake, ClientSession, MessageType, type RtmpMessage } from '@rtmp-cluster/rtmp';

export class RawSession {
  readonly socket: net.Socket;
  /** PingRequests the server sent and this peer answered */
  pingsAnswered = 0;
  /** status codes (onStatus) received, in order */
  readonly statuses: string[] = [];
  /** performance.now() when the socket closed */
  closedAt: number | undefined;
  readonly openedAt = performance.now();
  readonly closed: Promise<void>;
  private readonly session: ClientSession;
  private readonly encoder = new ChunkEncoder();
  private readonly decoder: ChunkDecoder;
  private readonly handshake = new ClientHandshake();
  private handshakeDone = false;
  private readonly waiters = new Set<() => void>();

  private constructor(port: number, host: string, prefix: Buffer | undefined) {
    this.session = new ClientSession({ send: (m) => this.send(m) });
    this.session.on('outChunkSize', (n) => this.encoder.setChunkSize(n));
    this.session.on('status', (s) => {
      this.statuses.push(s.code);
      this.notify();
    });
    this.decoder = new ChunkDecoder((msg) => this.session.handleMessage(msg, performance.now()));
    this.socket = net.connect(port, host);
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.closedAt = performance.now();
        this.notify();
        resolve();
      }),
    );
    this.socket.once('connect', () => {
      if (prefix !== undefined) this.socket.write(prefix);
      this.socket.write(this.handshake.start());
    });
  }

  /** TCP connect and handshake; `prefix` is written first (a PROXY protocol header). */
  static async open(port: number, opts: { host?: string; prefix?: Buffer; timeoutMs?: number } = {}): Promise<RawSession> {
    const s = new RawSession(port, opts.host ?? '127.0.0.1', opts.prefix);
    await s.until(() => s.handshakeDone, opts.timeoutMs ?? 10_000, 'handshake');
    return s;
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  /** the local port: the server sees this peer as 127.0.0.1:<localPort> */
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  async connect(app: string, timeoutMs = 10_000): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.session.once('connected', () => resolve());
      this.session.once('connectRejected', (r) => reject(new Error(`connect rejected: ${r.code}`)));
    });
    this.session.connect({ app, tcUrl: `rtmp://127.0.0.1/${app}` });
    await this.race(done, timeoutMs, 'connect');
  }

  async createStream(timeoutMs = 10_000): Promise<number> {
    const created = new Promise<number>((resolve) => this.session.once('streamCreated', (e) => resolve(e.streamId)));
    this.session.createStream();
    return this.race(created, timeoutMs, 'createStream');
  }

  /** Sends publish on `streamId` without waiting for an answer. */
  publish(streamId: number, name: string): void {
    this.session.publish(streamId, name, 'live');
  }

  deleteStream(streamId: number): void {
    this.session.deleteStream(streamId);
  }

  play(streamId: number, name: string): void {
    this.session.play(streamId, name, { start: -2000 });
  }

  /** One audio message through the client session's encoder (valid chunking, current chunk size). */
  sendAudio(streamId: number, timestamp: number, payload: Buffer): void {
    this.session.sendMedia(streamId, MessageType.Audio, timestamp, payload);
  }

  writeRaw(b: Buffer): boolean {
    return this.socket.write(b);
  }

  destroy(): void {
    this.socket.destroy();
  }

  waitForStatus(code: string, timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.statuses.includes(code), timeoutMs, `status ${code}`);
  }

  /** how many times `code` was received */
  statusCount(code: string): number {
    return this.statuses.filter((c) => c === code).length;
  }

  /** Resolves when `cond` holds (checked on every event); rejects on timeout or when the socket closes first. */
  until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${what}: timed out after ${timeoutMs} ms`)), timeoutMs);
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (cond()) finish();
        else if (this.isClosed) finish(new Error(`${what}: closed by the server (statuses ${this.statuses.join(', ')})`));
      };
      this.waiters.add(check);
      check();
    });
  }

  /** `p`, unless the timeout passes or the socket closes first. */
  private async race<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let settled = false;
    const guard = this.until(() => settled, timeoutMs, what);
    try {
      const v = await Promise.race([p, guard.then(() => p)]);
      return v;
    } finally {
      settled = true;
      this.notify();
      await guard.catch(() => undefined);
    }
  }

  private send(m: RtmpMessage): void {
    if (m.type === MessageType.UserControl && m.payload.readUInt16BE(0) === 7) this.pingsAnswered++;
    if (!this.socket.destroyed) this.socket.write(this.encoder.encode(m));
  }

  private onData(d: Buffer): void {
    try {
      if (!this.handshakeDone) {
        const step = this.handshake.push(d);
        if (step.send) this.socket.write(step.send);
        if (!step.done) return;
        this.handshakeDone = true;
        this.notify();
        if (step.remainder.length === 0) return;
        d = step.remainder;
      }
      this.decoder.push(d);
      this.session.onBytesReceived(this.decoder.bytesReceived);
      this.notify();
    } catch {
      this.socket.destroy();
    }
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

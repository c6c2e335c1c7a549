/**
 * A light in-process RTMP client for end-to-end tests that need what real clients cannot show (status
 * codes after UnpublishNotify, many players in one process, a reader that stops reading). Built on the
 * project's ClientHandshake + ChunkDecoder/ChunkEncoder + ClientSession over a real TCP socket.
 */
import net from 'node:net';
import {
  ChunkDecoder,
  ChunkEncoder,
  ClientHandshake,
  ClientSession,
  type AmfObject,
  type MediaEvent,
  type StatusEvent,
} from '@rtmp-cluster/rtmp';

export interface ReceivedMedia {
  kind: 'audio' | 'video' | 'data';
  timestamp: number;
  /** arrival time (ms, performance.now) */
  at: number;
  keyframe: boolean;
  sequenceHeader: boolean;
  size: number;
}

export class TestRtmpClient {
  readonly statuses: StatusEvent[] = [];
  readonly media: ReceivedMedia[] = [];
  metadataCount = 0;
  closed = false;
  closeError: Error | undefined;
  private readonly socket: net.Socket;
  private readonly handshake = new ClientHandshake();
  private readonly encoder = new ChunkEncoder();
  private readonly decoder: ChunkDecoder;
  readonly session: ClientSession;
  private handshakeDone = false;
  private readonly waiters = new Set<() => void>();
  /** keep at most this many media records (counts stay exact) */
  private readonly mediaLimit: number;
  mediaCount = { audio: 0, video: 0, data: 0 };

  private constructor(
    readonly host: string,
    readonly port: number,
    opts: { mediaLimit?: number } = {},
  ) {
    this.mediaLimit = opts.mediaLimit ?? 100_000;
    this.session = new ClientSession({ send: (m) => this.socket.write(this.encoder.encode(m)) });
    this.session.on('outChunkSize', (n) => this.encoder.setChunkSize(n));
    this.session.on('status', (s) => {
      this.statuses.push(s);
      this.notify();
    });
    this.session.on('media', (m) => this.onMedia(m));
    this.session.on('metadata', () => {
      this.metadataCount++;
      this.notify();
    });
    this.decoder = new ChunkDecoder((msg) => this.session.handleMessage(msg, performance.now()));
    this.socket = net.connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => {
      this.closeError = e;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** Connects (TCP, handshake, connect command) to rtmp://host:port/app. */
  static async connect(
    url: string,
    opts: { mediaLimit?: number; timeoutMs?: number; capsEx?: number; /** extra connect command-object fields */ connectFields?: AmfObject } = {},
  ): Promise<TestRtmpClient> {
    const u = new URL(url);
    const app = u.pathname.replace(/^\//, '').split('/')[0] ?? '';
    const client = new TestRtmpClient(u.hostname, Number(u.port || 1935), opts);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('connect', () => resolve());
      client.socket.once('error', reject);
    });
    client.socket.write(client.handshake.start());
    const connected = new Promise<void>((resolve, reject) => {
      client.session.once('connected', () => resolve());
      client.session.once('connectRejected', (r) => reject(new Error(`connect rejected: ${r.code} ${r.description}`)));
    });
    await client.until(() => client.handshakeDone, opts.timeoutMs ?? 5000, 'handshake');
    client.session.connect({
      app,
      tcUrl: `rtmp://${u.host}/${app}`,
      ...(opts.capsEx !== undefined ? { capsEx: opts.capsEx } : {}),
      ...(opts.connectFields !== undefined ? { extra: opts.connectFields } : {}),
    });
    await withTimeout(connected, opts.timeoutMs ?? 5000, 'connect');
    return client;
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
    } catch (err) {
      this.closeError = err as Error;
      this.socket.destroy();
    }
  }

  private onMedia(m: MediaEvent): void {
    const p = m.message.payload;
    this.mediaCount[m.kind]++;
    let keyframe = false;
    let sequenceHeader = false;
    if (m.kind === 'video' && p.length >= 2) {
      keyframe = p[0]! >> 4 === 1 || ((p[0]! & 0x80) !== 0 && ((p[0]! >> 4) & 7) === 1);
      sequenceHeader = (p[0]! & 0x0f) === 7 && p[1] === 0;
    } else if (m.kind === 'audio' && p.length >= 2) {
      sequenceHeader = p[0]! >> 4 === 10 && p[1] === 0;
    }
    if (this.media.length < this.mediaLimit) {
      this.media.push({ kind: m.kind, timestamp: m.message.timestamp, at: performance.now(), keyframe, sequenceHeader, size: p.length });
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `cond` holds (checked on every event), rejects after timeoutMs. */
  until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (cond()) {
          cleanup();
          resolve();
        } else if (this.closed && !cond()) {
          cleanup();
          reject(new Error(`${what}: connection closed (${this.closeError?.message ?? 'by peer'}); statuses: ${this.statusCodes().join(', ')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${what}: timed out after ${timeoutMs} ms; statuses: ${this.statusCodes().join(', ')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  statusCodes(): string[] {
    return this.statuses.map((s) => s.code);
  }

  waitForStatus(code: string, timeoutMs = 10_000, afterIndex = 0): Promise<StatusEvent> {
    const find = (): StatusEvent | undefined => this.statuses.slice(afterIndex).find((s) => s.code === code);
    return this.until(() => find() !== undefined, timeoutMs, `status ${code}`).then(() => find()!);
  }

  async createStream(timeoutMs = 5000): Promise<number> {
    const created = new Promise<number>((resolve) => this.session.once('streamCreated', (e) => resolve(e.streamId)));
    this.session.createStream();
    return withTimeout(created, timeoutMs, 'createStream');
  }

  /** createStream + play; does not wait for Play.Start. */
  async play(name: string): Promise<number> {
    const id = await this.createStream();
    this.session.setBufferLength(id, 1000);
    this.session.play(id, name, { start: -2000 });
    return id;
  }

  async publish(name: string): Promise<number> {
    const id = await this.createStream();
    this.session.publish(id, name, 'live');
    return id;
  }

  /** Stops reading from the socket: the kernel buffers fill up and the server's writes back up. */
  pauseReading(): void {
    this.socket.pause();
  }

  /** the client's local port: the server sees this client as 127.0.0.1:<localPort> */
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /** Writes raw bytes (for bad-input tests after a valid session start). */
  writeRaw(b: Buffer): void {
    this.socket.write(b);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

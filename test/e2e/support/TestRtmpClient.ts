/**
 * The in-process RTMP test client, for tests that need what real clients cannot show: status codes (after
 * UnpublishNotify, in a cluster's StreamNotFound), hundreds of players in one process, a reader that stops
 * reading, per-message records (codec id, timestamp, arrival time) to check continuity across an upstream
 * switch and which publisher a frame came from. Built on the project's ClientHandshake + ChunkDecoder/
 * ChunkEncoder + ClientSession over a real TCP socket.
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
  kind: 'audio' | 'video';
  timestamp: number;
  /** FLV codec id: audio (byte0 >> 4): 10 AAC, 2 MP3; video (byte0 & 0x0f): 7 AVC, 2 Sorenson H.263 */
  codecId: number;
  /** arrival time (Date.now(), comparable with other wall-clock times a test takes) */
  at: number;
  keyframe: boolean;
  sequenceHeader: boolean;
  size: number;
}

export interface TestRtmpClientOptions {
  /** keep at most this many media records (counts stay exact) */
  mediaLimit?: number;
  /** limit of each step: TCP connect, handshake, connect command, createStream */
  timeoutMs?: number;
  capsEx?: number;
  /** extra connect command-object fields */
  connectFields?: AmfObject;
}

export class TestRtmpClient {
  readonly statuses: StatusEvent[] = [];
  /** audio and video messages (data messages are only counted) */
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
  private readonly mediaLimit: number;
  mediaCount = { audio: 0, video: 0, data: 0 };

  private constructor(
    readonly host: string,
    readonly port: number,
    opts: TestRtmpClientOptions,
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
      this.closeError ??= e;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** Connects (TCP, handshake, connect command) to rtmp://host:port/app. */
  static async connect(url: string, opts: TestRtmpClientOptions = {}): Promise<TestRtmpClient> {
    const u = new URL(url);
    const client = new TestRtmpClient(u.hostname, Number(u.port || 1935), opts);
    await client.connectCommand(u, opts);
    return client;
  }

  /**
   * Starts playing rtmp://host:port/app/name without waiting: connect, createStream and play run in the
   * background (a failure closes the client, which `until` reports). For many players at once; without
   * `record` only the counts are kept.
   */
  static startPlayer(url: string, opts: { record?: boolean } = {}): TestRtmpClient {
    const u = new URL(url);
    const name = u.pathname.replace(/^\//, '').split('/').slice(1).join('/');
    // the test's own timeout governs: a burst of players on a loaded machine may take long to connect
    const steps: TestRtmpClientOptions = { timeoutMs: 60_000, mediaLimit: (opts.record ?? true) ? 200_000 : 0 };
    const client = new TestRtmpClient(u.hostname, Number(u.port || 1935), steps);
    client
      .connectCommand(u, steps)
      .then(() => client.play(name, { start: -2, timeoutMs: steps.timeoutMs }))
      .catch((err: unknown) => {
        client.closeError ??= err instanceof Error ? err : new Error(String(err));
        client.socket.destroy();
      });
    return client;
  }

  private async connectCommand(u: URL, opts: TestRtmpClientOptions): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const app = u.pathname.replace(/^\//, '').split('/')[0] ?? '';
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        this.socket.once('connect', () => resolve());
        this.socket.once('error', reject);
      }),
      timeoutMs,
      'TCP connect',
    );
    this.socket.write(this.handshake.start());
    const connected = new Promise<void>((resolve, reject) => {
      this.session.once('connected', () => resolve());
      this.session.once('connectRejected', (r) => reject(new Error(`connect rejected: ${r.code} ${r.description}`)));
    });
    await this.until(() => this.handshakeDone, timeoutMs, 'handshake');
    this.session.connect({
      app,
      tcUrl: `rtmp://${u.host}/${app}`,
      ...(opts.capsEx !== undefined ? { capsEx: opts.capsEx } : {}),
      ...(opts.connectFields !== undefined ? { extra: opts.connectFields } : {}),
    });
    await withTimeout(connected, timeoutMs, 'connect');
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
      this.closeError ??= err as Error;
      this.socket.destroy();
    }
  }

  private onMedia(m: MediaEvent): void {
    this.mediaCount[m.kind]++;
    if (m.kind === 'data') {
      this.notify();
      return;
    }
    const p = m.message.payload;
    let keyframe = false;
    let sequenceHeader = false;
    const codecId = p.length >= 1 ? (m.kind === 'audio' ? p[0]! >> 4 : p[0]! & 0x0f) : -1;
    if (m.kind === 'video' && p.length >= 2) {
      keyframe = p[0]! >> 4 === 1 || ((p[0]! & 0x80) !== 0 && ((p[0]! >> 4) & 7) === 1);
      sequenceHeader = codecId === 7 && p[1] === 0;
    } else if (m.kind === 'audio' && p.length >= 2) {
      sequenceHeader = codecId === 10 && p[1] === 0;
    }
    if (this.media.length < this.mediaLimit) {
      this.media.push({ kind: m.kind, timestamp: m.message.timestamp, codecId, at: Date.now(), keyframe, sequenceHeader, size: p.length });
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `cond` holds (checked on every event), rejects after timeoutMs or when the connection closes first. */
  until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (cond()) {
          cleanup();
          resolve();
        } else if (this.closed) {
          cleanup();
          reject(new Error(`${what}: connection closed (${this.closeError?.message ?? 'by peer'}); statuses: ${this.statusCodes().join(', ')}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${what}: timed out after ${timeoutMs} ms; statuses: ${this.statusCodes().join(', ')}; frames: ${this.frames}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** audio + video messages received so far */
  get frames(): number {
    return this.mediaCount.audio + this.mediaCount.video;
  }

  /** Resolves once `n` more audio/video messages arrived than now. */
  moreFrames(n: number, timeoutMs: number): Promise<void> {
    const target = this.frames + n;
    return this.until(() => this.frames >= target, timeoutMs, `${n} more frames`);
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

  /** createStream + play; does not wait for Play.Start. `start` is the play command's start argument. */
  async play(name: string, opts: { start?: number; timeoutMs?: number } = {}): Promise<number> {
    const id = await this.createStream(opts.timeoutMs);
    this.session.setBufferLength(id, 1000);
    this.session.play(id, name, { start: opts.start ?? -2000 });
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

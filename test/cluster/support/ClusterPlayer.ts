/**
 * A light RTMP player for cluster tests, many per process: TCP + ClientHandshake + ChunkDecoder/Encoder +
 * ClientSession. Records what a real player would see: statuses, metadata, and per media message its kind,
 * timestamp, codec id (first payload byte) and arrival time, so tests can check continuity across an
 * upstream switch and which publisher a frame came from.
 */
import net from 'node:net';
import { ChunkDecoder, ChunkEncoder, ClientHandshake, ClientSession, type StatusEvent } from '@rtmp-cluster/rtmp';

export interface PlayerMedia {
  kind: 'audio' | 'video';
  timestamp: number;
  /** FLV codec id: audio (byte0 >> 4): 10 AAC, 2 MP3; video (byte0 & 0x0f): 7 AVC, 2 Sorenson H.263 */
  codecId: number;
  sequenceHeader: boolean;
  keyframe: boolean;
  /** Date.now() at arrival */
  at: number;
}

export class ClusterPlayer {
  readonly statuses: StatusEvent[] = [];
  readonly metadata: Record<string, unknown>[] = [];
  readonly media: PlayerMedia[] = [];
  counts = { audio: 0, video: 0, data: 0 };
  closed = false;
  closedAt = 0;
  error: Error | undefined;
  private readonly socket: net.Socket;
  private readonly handshake = new ClientHandshake();
  private readonly encoder = new ChunkEncoder();
  private readonly decoder: ChunkDecoder;
  private readonly session: ClientSession;
  private handshakeDone = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly app: string,
    private readonly streamName: string,
    host: string,
    port: number,
    private readonly record: boolean,
  ) {
    this.session = new ClientSession({ send: (m) => this.socket.write(this.encoder.encode(m)) });
    this.session.on('outChunkSize', (n) => this.encoder.setChunkSize(n));
    this.session.on('connected', () => this.session.createStream());
    this.session.on('connectRejected', (r) => this.fail(new Error(`connect rejected: ${r.code} ${r.description}`)));
    this.session.on('streamCreated', ({ streamId }) => {
      this.session.setBufferLength(streamId, 1000);
      this.session.play(streamId, this.streamName, { start: -2 });
    });
    this.session.on('status', (s) => {
      this.statuses.push(s);
      this.notify();
    });
    this.session.on('metadata', (m) => {
      this.counts.data++;
      if (this.metadata.length < 100) this.metadata.push(m.metadata as Record<string, unknown>);
      this.notify();
    });
    this.session.on('media', (m) => {
      if (m.kind === 'data') {
        this.counts.data++;
        return;
      }
      this.counts[m.kind]++;
      const p = m.message.payload;
      if (this.record && p.length >= 2 && this.media.length < 200_000) {
        const b0 = p[0]!;
        const codecId = m.kind === 'audio' ? b0 >> 4 : b0 & 0x0f;
        this.media.push({
          kind: m.kind,
          timestamp: m.message.timestamp,
          codecId,
          sequenceHeader: m.kind === 'audio' ? codecId === 10 && p[1] === 0 : codecId === 7 && p[1] === 0,
          keyframe: m.kind === 'video' && b0 >> 4 === 1,
          at: Date.now(),
        });
      }
      this.notify();
    });
    this.decoder = new ChunkDecoder((msg) => this.session.handleMessage(msg, performance.now()));
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('connect', () => this.socket.write(this.handshake.start()));
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
      this.notify();
    });
  }

  /** Starts playing rtmp://host:port/app/name (does not wait). `record` keeps per-message records. */
  static play(url: string, opts: { record?: boolean } = {}): ClusterPlayer {
    const u = new URL(url);
    const parts = u.pathname.replace(/^\//, '').split('/');
    const app = parts.shift() ?? '';
    return new ClusterPlayer(app, parts.join('/'), u.hostname, Number(u.port || 1935), opts.record ?? true);
  }

  statusCodes(): string[] {
    return this.statuses.map((s) => s.code);
  }

  get frames(): number {
    return this.counts.audio + this.counts.video;
  }

  until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (cond()) {
          done();
          resolve();
        } else if (this.closed) {
          done();
          reject(new Error(`${what}: player connection closed (${this.error?.message ?? 'by peer'}); statuses ${this.statusCodes().join(',')}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: timed out after ${timeoutMs} ms; statuses ${this.statusCodes().join(',')}; frames ${this.frames}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Resolves once `n` more audio/video messages arrived than now. */
  moreFrames(n: number, timeoutMs: number): Promise<void> {
    const target = this.frames + n;
    return this.until(() => this.frames >= target, timeoutMs, `${n} more frames`);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    try {
      if (!this.handshakeDone) {
        const step = this.handshake.push(d);
        if (step.send) this.socket.write(step.send);
        if (!step.done) return;
        this.handshakeDone = true;
        this.session.connect({ app: this.app, tcUrl: `rtmp://127.0.0.1/${this.app}` });
        if (step.remainder.length === 0) return;
        d = step.remainder;
      }
      this.decoder.push(d);
      this.session.onBytesReceived(this.decoder.bytesReceived);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    this.error ??= err;
    this.socket.destroy();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * One relay pull: a TCP connection from an edge to an origin playing one stream, as an RTMP client
 * (simple handshake, ChunkDecoder/ChunkEncoder, ClientSession). The relay credential goes into the connect
 * command object so the origin can tell a relay from a player. Every message of the stream is handed to
 * onMessage; the connection ends exactly once with a RelayError saying why.
 */
import net from 'node:net';
import {
  ChunkDecoder,
  ChunkEncoder,
  ClientHandshake,
  ClientSession,
  isRtmpError,
  type MediaEvent,
  type MetadataEvent,
  type ProtocolLimits,
  type StatusEvent,
} from '@rtmp-cluster/rtmp';
import { RelayError } from './RelayError.js';
import type { Logger } from '@rtmp-cluster/core';
import { parseHostPort } from '@rtmp-cluster/core';
import type { UpstreamTarget } from './UpstreamTarget.js';

export interface UpstreamConnectionOptions {
  target: UpstreamTarget;
  app: string;
  name: string;
  /** sent as connect command object field `relayTokenField` */
  relayToken?: string;
  /** field name of the credential in the connect command object */
  relayTokenField: string;
  /** TCP connect deadline, default 3000 ms */
  connectTimeoutMs?: number;
  /** handshake + connect + createStream + Play.Start deadline after TCP connect, default 5000 ms */
  startTimeoutMs?: number;
  /** no byte from the origin for this long while playing ends the pull, default 5000 ms */
  stallTimeoutMs?: number;
  /** window ack size we announce, default 2 500 000 */
  windowAckSize?: number;
  limits?: Partial<ProtocolLimits>;
  logger: Logger;
  /** Play.Start arrived: the origin serves the stream */
  onStarted: () => void;
  /** audio, video, data and metadata of the stream, decoded by the session (pushed to the hub as they are) */
  onMessage: (ev: MediaEvent | MetadataEvent) => void;
  /** called exactly once; after it nothing else is called */
  onEnded: (reason: RelayError, started: boolean) => void;
}

type Phase = 'connecting' | 'handshake' | 'session' | 'playing' | 'ended';

export class UpstreamConnection {
  private readonly socket: net.Socket;
  private readonly handshake = new ClientHandshake();
  private readonly encoder = new ChunkEncoder();
  private decoder: ChunkDecoder | undefined;
  private readonly session: ClientSession;
  private phase: Phase = 'connecting';
  private playStreamId = -1;
  private lastInputAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private connectedAt = 0;
  private bytes = 0;
  private messages = 0;

  constructor(private readonly o: UpstreamConnectionOptions) {
    const { host, port } = parseHostPort(o.target.address);
    this.session = new ClientSession({
      send: (msg) => this.write(this.encoder.encode(msg)),
      windowAckSize: o.windowAckSize ?? 2_500_000,
      limits: o.limits,
    });
    this.wireSession();
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.phase === 'connecting') this.end('UPSTREAM_UNREACHABLE', `cannot connect to ${o.target.address}: ${err.code ?? err.message}`);
      else this.end('UPSTREAM_CLOSED', `connection to ${o.target.address} failed: ${err.code ?? err.message}`);
    });
    this.socket.on('close', () => this.end('UPSTREAM_CLOSED', `origin ${o.target.address} closed the connection`));
    // One coarse timer drives every deadline of this connection.
    const connectTimeout = o.connectTimeoutMs ?? 3000;
    const startTimeout = o.startTimeoutMs ?? 5000;
    const stallTimeout = o.stallTimeoutMs ?? 5000;
    const tickMs = Math.max(50, Math.min(500, Math.floor(Math.min(connectTimeout, startTimeout, stallTimeout) / 4)));
    this.timer = setInterval(() => {
      const now = Date.now();
      if (this.phase === 'connecting' && now - this.startedAt >= connectTimeout) {
        this.end('UPSTREAM_UNREACHABLE', `TCP connect to ${o.target.address} timed out after ${connectTimeout} ms`);
      } else if ((this.phase === 'handshake' || this.phase === 'session') && now - this.connectedAt >= startTimeout) {
        this.end('UPSTREAM_START_TIMEOUT', `origin ${o.target.address} did not start the stream within ${startTimeout} ms (${this.phase})`);
      } else if (this.phase === 'playing' && now - this.lastInputAt >= stallTimeout) {
        this.end('UPSTREAM_STALLED', `no data from origin ${o.target.address} for ${now - this.lastInputAt} ms`);
      }
    }, tickMs);
    this.timer.unref();
  }

  get started(): boolean {
    return this.phase === 'playing';
  }
  get ended(): boolean {
    return this.phase === 'ended';
  }
  get bytesReceived(): number {
    return this.bytes;
  }
  get messagesReceived(): number {
    return this.messages;
  }

  /** Ends the pull (idempotent); onEnded gets a RelayError with this code. */
  close(code: 'UPSTREAM_REPLACED' | 'RELAY_STOPPED', message: string): void {
    this.end(code, message);
  }

  private write(buf: Buffer): void {
    if (this.phase !== 'ended' && !this.socket.destroyed) this.socket.write(buf);
  }

  private onConnect(): void {
    if (this.phase !== 'connecting') return;
    this.phase = 'handshake';
    this.connectedAt = Date.now();
    this.lastInputAt = this.connectedAt;
    this.write(this.handshake.start());
  }

  private onData(data: Buffer): void {
    if (this.phase === 'ended') return;
    this.bytes += data.length;
    this.lastInputAt = Date.now();
    try {
      if (this.phase === 'handshake') {
        const step = this.handshake.push(data);
        if (step.send) this.write(step.send);
        if (!step.done) return;
        this.phase = 'session';
        this.decoder = new ChunkDecoder((msg) => this.session.handleMessage(msg, performance.now()), { limits: this.o.limits });
        const extra = this.o.relayToken ? { [this.o.relayTokenField]: this.o.relayToken } : undefined;
        // fourCcList '*': a relay forwards every codec (Enhanced RTMP); origins withhold HEVC/AV1/Opus from players that declare none.
        this.session.connect({ app: this.o.app, tcUrl: `rtmp://${this.o.target.address}/${this.o.app}`, fourCcList: ['*'], ...(extra ? { extra } : {}) });
        if (step.remainder.length === 0) return;
        data = step.remainder;
      }
      if (!this.decoder) return;
      this.decoder.push(data);
      if ((this.phase as Phase) !== 'ended') this.session.onBytesReceived(this.decoder.bytesReceived);
    } catch (err) {
      if (isRtmpError(err)) this.end('UPSTREAM_PROTOCOL_ERROR', `origin ${this.o.target.address}: ${err.code}: ${err.message}`, err);
      else this.end('UPSTREAM_PROTOCOL_ERROR', `relay input failed: ${(err as Error).message}`, err);
    }
  }

  private wireSession(): void {
    const s = this.session;
    s.on('outChunkSize', (n) => this.encoder.setChunkSize(n));
    s.on('connected', () => {
      if (this.phase === 'session') s.createStream();
    });
    s.on('connectRejected', (r) =>
      this.end('UPSTREAM_REJECTED', `origin ${this.o.target.address} refused the relay connect: ${r.code} ${r.description}`),
    );
    s.on('streamCreated', ({ streamId }) => {
      if (this.phase !== 'session' || this.playStreamId >= 0) return;
      this.playStreamId = streamId;
      s.setBufferLength(streamId, 1000);
      s.play(streamId, this.o.name, { start: -2 });
    });
    s.on('status', (st) => this.onStatus(st));
    const forward = (ev: MediaEvent | MetadataEvent): void => {
      if (this.phase !== 'playing' || ev.streamId !== this.playStreamId) return;
      this.messages++;
      this.o.onMessage(ev);
    };
    s.on('media', forward);
    s.on('metadata', forward);
  }

  private onStatus(st: StatusEvent): void {
    if (this.phase === 'ended' || st.streamId !== this.playStreamId) return;
    switch (st.code) {
      case 'NetStream.Play.Start':
        if (this.phase === 'session') {
          this.phase = 'playing';
          this.o.onStarted();
        }
        return;
      case 'NetStream.Play.Reset':
      case 'NetStream.Play.PublishNotify':
      case 'NetStream.Data.Start':
        return;
      case 'NetStream.Play.UnpublishNotify':
      case 'NetStream.Play.Stop':
      case 'NetStream.Play.Complete':
        this.end('UPSTREAM_UNPUBLISHED', `origin ${this.o.target.address}: ${st.code}`);
        return;
      case 'NetStream.Play.StreamNotFound':
        this.end('UPSTREAM_STREAM_NOT_FOUND', `origin ${this.o.target.address}: ${st.code} ${st.description}`);
        return;
      default:
        if (st.level === 'error') this.end('UPSTREAM_REJECTED', `origin ${this.o.target.address}: ${st.code} ${st.description}`);
    }
  }

  private end(code: RelayError['code'], message: string, cause?: unknown): void {
    if (this.phase === 'ended') return;
    const started = this.phase === 'playing';
    this.phase = 'ended';
    clearInterval(this.timer);
    this.session.close();
    this.socket.destroy();
    const err = new RelayError(code, message, cause === undefined ? undefined : { cause });
    this.o.logger.debug({ code, bytes: this.bytes, messages: this.messages }, `upstream ended: ${message}`);
    this.o.onEnded(err, started);
  }
}

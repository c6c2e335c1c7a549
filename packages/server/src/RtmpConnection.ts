/**
 * One accepted socket: ServerHandshake -> ChunkDecoder -> ServerSession, wired to the hub. Everything a peer
 * can trigger is caught here and turned into a close of THIS connection with a precise reason; nothing
 * escapes into the socket's event handlers.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import {
  ChunkDecoder,
  ChunkEncoder,
  ServerHandshake,
  ServerSession,
  isRtmpError,
  type ConnectRequest,
  type MediaEvent,
  type MetadataEvent,
  type PlayRequest as SessionPlayRequest,
  type PublishRequest as SessionPublishRequest,
  type RtmpMessage,
  type StreamEndEvent,
} from '@rtmp-cluster/rtmp';
import {
  isHubError,
  streamKey,
  type Publication,
  type PublisherCloseReason,
  type PublisherSource,
  type StreamHub,
  type StreamStartedInfo,
  type StreamStopReason,
  type Subscription,
} from '@rtmp-cluster/media';
import type { Logger } from 'pino';
import type { ConnectionCloseReason, ConnectionClosedEvent, ConnectionRole } from './ConnectionClose.js';
import { PlayerSink, type PlayerSinkHost } from './PlayerSink.js';
import type { ResolvedServerOptions } from './ServerOptions.js';
import type { AccessDecision, PlayRequest, PublishRequest, StreamRequest } from './StreamAccessPolicy.js';

export type RtmpSocket = net.Socket | tls.TLSSocket;

/** Monotonic milliseconds (the session's `now`, timeouts). */
export function monotonicMs(): number {
  return Math.floor(performance.now());
}

interface ActivePublish {
  streamId: number;
  key: string;
  request: PublishRequest;
  publication: Publication;
}

interface ActivePlay {
  streamId: number;
  key: string;
  request: PlayRequest;
  sink: PlayerSink;
  subscription: Subscription;
  /** Play.Start was sent (the publisher was live at play time, or arrived while we waited) */
  started: boolean;
  waitTimer: NodeJS.Timeout | undefined;
}

/** A publish or play the connection asks the stream access policy about. */
type PolicyQuestion = { kind: 'publish'; request: PublishRequest } | { kind: 'play'; request: PlayRequest };

/** How a refused publish or play is answered when the policy gives no status code, or throws. */
const REFUSAL = {
  publish: { defaultCode: 'NetStream.Publish.BadName', policyFailedCode: 'NetStream.Publish.Failed', checkName: 'Publish' },
  play: { defaultCode: 'NetStream.Play.Failed', policyFailedCode: 'NetStream.Play.Failed', checkName: 'Play' },
} as const;

export interface ConnectionInfo {
  connId: string;
  remoteAddress: string;
  phase: 'handshake' | 'session';
  role: ConnectionRole;
  app: string | undefined;
  publishing: string[];
  playing: string[];
  bytesIn: number;
  bytesOut: number;
  /** bytes written to the socket but not yet taken by the kernel (the paused-reader backlog) */
  pendingBytes: number;
  rttMs: number | undefined;
  connectedForMs: number;
}

export interface ConnectionHost {
  readonly options: ResolvedServerOptions;
  readonly hub: StreamHub;
  connectionClosed(conn: RtmpConnection, event: ConnectionClosedEvent): void;
  /** false when the server already has its maximum of publishers (absent: no limit) */
  publishAllowed?(): boolean;
}

export interface RtmpConnectionOptions {
  /** the socket is a TLS socket (RTMPS) */
  secure?: boolean;
  /** the peer's IP (normalized); default the socket's remoteAddress */
  clientIp?: string;
}

export class RtmpConnection implements PlayerSinkHost {
  readonly openedAt = monotonicMs();
  private phase: 'handshake' | 'session' = 'handshake';
  private closed = false;
  /** dropped once done: it holds C1/S1 copies (kilobytes per connection) nobody needs afterwards */
  private handshake: ServerHandshake | undefined = new ServerHandshake();
  private decoder: ChunkDecoder | undefined;
  private readonly encoder = new ChunkEncoder();
  private readonly session: ServerSession;
  private log: Logger;
  private app: string | undefined;
  /** the connect command object as the client sent it (the policy reads e.g. the relay credential) */
  private connectObject: Readonly<Record<string, unknown>> = {};
  private readonly publishes = new Map<number, ActivePublish>();
  private readonly plays = new Map<number, ActivePlay>();
  private readonly streamKeysSeen = new Set<string>();
  private lastInputAt = this.openedAt;
  private lastPingAt = this.openedAt;
  private _bytesIn = 0;
  private _bytesOut = 0;
  /** 'ip:port' of the peer as the socket reports it */
  readonly remoteAddress: string;
  /** the peer's IP without the port (per-address limits, the access policy) */
  readonly clientIp: string;
  /** the connection came in over TLS */
  readonly secure: boolean;
  /** set when the peer stopped reading and too much output queued up; the close follows in a microtask */
  private outputOverflow = false;
  /** a publish/play is waiting for the access policy: the connection is busy, not idle */
  private pendingDecisions = 0;
  /** resolves once the socket is fully closed (after a graceful end, when the peer got everything) */
  readonly socketClosed: Promise<void>;

  constructor(
    readonly connId: string,
    private readonly socket: RtmpSocket,
    private readonly host: ConnectionHost,
    parentLog: Logger,
    connOptions: RtmpConnectionOptions = {},
  ) {
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.clientIp = connOptions.clientIp ?? socket.remoteAddress ?? '?';
    this.secure = connOptions.secure ?? false;
    this.log = parentLog.child(this.secure ? { connId, remote: this.remoteAddress, tls: true } : { connId, remote: this.remoteAddress });
    const opts = host.options;
    this.session = new ServerSession({
      send: (msg) => this.sendMessage(msg),
      outChunkSize: opts.chunkSize,
      windowAckSize: opts.windowAckSize,
      peerBandwidth: opts.windowAckSize,
      limits: opts.limits,
    });
    this.wireSession();
    socket.setNoDelay(true);
    this.socketClosed = socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err: NodeJS.ErrnoException) => this.close('SOCKET_ERROR', err.message, err.code));
    socket.on('close', () => {
      if (this.phase === 'handshake') this.close('HANDSHAKE_INCOMPLETE', 'peer closed the socket during the handshake');
      else this.close('PEER_CLOSED', 'peer closed the socket');
    });
    this.log.debug('connection accepted');
  }

  get bytesIn(): number {
    return this._bytesIn;
  }
  get bytesOut(): number {
    return this._bytesOut;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /**
   * Enhanced RTMP v2 ReconnectRequest (a draining node asks the client to reconnect, through the load
   * balancer, to another node). Sent only if the client's connect declared capsEx & 1; false otherwise.
   * The connection keeps being served until the client leaves.
   */
  requestReconnect(tcUrl?: string, description?: string): boolean {
    if (this.closed) return false;
    let sent = false;
    this.guard(() => {
      sent = this.session.requestReconnect(tcUrl, description);
    });
    if (sent) this.log.info({ tcUrl }, 'sent ReconnectRequest');
    return sent;
  }
  /** streams this connection publishes now (the server's maxPublishers counts these) */
  get publishingCount(): number {
    return this.publishes.size;
  }
  /** what the connection does now */
  get role(): ConnectionRole {
    if (this.publishes.size > 0) return 'publisher';
    if (this.plays.size > 0) return 'player';
    return 'none';
  }

  /** what the connection did last (kept after the publish/play ended, for the close log) */
  private lastRole: ConnectionRole = 'none';

  info(): ConnectionInfo {
    return {
      connId: this.connId,
      remoteAddress: this.remoteAddress,
      phase: this.phase,
      role: this.role,
      app: this.app,
      publishing: [...this.publishes.values()].map((p) => p.key),
      playing: [...this.plays.values()].map((p) => p.key),
      bytesIn: this._bytesIn,
      bytesOut: this._bytesOut,
      pendingBytes: this.socket.writableLength,
      rttMs: this.phase === 'session' ? this.session.rttMs : undefined,
      connectedForMs: monotonicMs() - this.openedAt,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // PlayerSinkHost (called by the hub through PlayerSink; must not throw)

  get outChunkSize(): number {
    return this.encoder.chunkSize;
  }

  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  writeShared(buffers: Buffer[]): void {
    const socket = this.socket;
    if (this.closed || socket.destroyed || this.outputOverflow) return;
    if (this.overflowing()) return;
    const n = buffers.length;
    if (n === 1) {
      // The common flush (one message in the merge window): a plain write skips the cork bookkeeping.
      const b = buffers[0]!;
      this._bytesOut += b.length;
      socket.write(b);
      return;
    }
    // One writev per flush: cork collects the writes, uncork hands them to the kernel together. (Measured
    // cheaper than one write of a Buffer.concat, whose copy and garbage cost more than the iovecs.)
    socket.cork();
    for (let i = 0; i < n; i++) {
      const b = buffers[i]!;
      this._bytesOut += b.length;
      socket.write(b);
    }
    socket.uncork();
  }

  playerStreamStarted(streamId: number, info: StreamStartedInfo): void {
    this.guard(() => {
      const play = this.plays.get(streamId);
      if (!play) return;
      if (!play.started) {
        if (play.waitTimer) clearTimeout(play.waitTimer);
        play.waitTimer = undefined;
        play.started = true;
        if (!this.session.acceptPlay(streamId)) {
          this.endPlay(streamId);
          return;
        }
        this.log.info({ stream: play.key, publisherId: info.publisherId }, 'publisher arrived: play started');
      } else {
        this.session.notifyPublished(streamId);
        this.log.info({ stream: play.key, publisherId: info.publisherId }, 'stream republished: play continues');
      }
    });
  }

  playerStreamStopped(streamId: number, reason: StreamStopReason): void {
    this.guard(() => {
      const play = this.plays.get(streamId);
      if (!play || !play.started) return;
      this.session.notifyUnpublished(streamId);
      this.log.info({ stream: play.key, reason }, 'publisher left: sent UnpublishNotify, waiting for a republish');
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Input

  private onData(data: Buffer): void {
    if (this.closed) return;
    this._bytesIn += data.length;
    this.lastInputAt = monotonicMs();
    try {
      if (this.phase === 'handshake') {
        const handshake = this.handshake!;
        const step = handshake.push(data);
        if (step.send) this.writeRaw(step.send);
        if (!step.done) return;
        this.phase = 'session';
        this.handshake = undefined;
        this.log.debug({ handshake: handshake.mode }, 'handshake complete');
        this.decoder = new ChunkDecoder((msg) => this.session.handleMessage(msg, monotonicMs()), {
          limits: this.host.options.limits,
        });
        if (step.remainder.length === 0) return;
        data = step.remainder;
      }
      this.decoder!.push(data);
      if (!this.closed) this.session.onBytesReceived(this.decoder!.bytesReceived);
    } catch (err) {
      this.failed(err);
    }
  }

  /** Turns anything thrown by the protocol layer or our handlers into a close with a precise reason. */
  private failed(err: unknown): void {
    if (isRtmpError(err)) {
      this.close('PROTOCOL_ERROR', err.message, err.code);
    } else {
      this.log.error({ err }, 'internal error while handling connection input');
      this.close('INTERNAL_ERROR', err instanceof Error ? err.message : String(err));
    }
  }

  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.failed(err);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Output

  private writeRaw(buf: Buffer): void {
    if (this.closed || this.socket.destroyed || this.outputOverflow) return;
    if (this.overflowing()) return;
    this._bytesOut += buf.length;
    this.socket.write(buf);
  }

  /**
   * A peer that never reads makes every write queue in user space. Past the bound the connection is closed;
   * the close runs in a microtask because writes happen inside session and hub callbacks that must finish.
   */
  private overflowing(): boolean {
    const pending = this.socket.writableLength;
    const max = this.host.options.maxPendingOutputBytes;
    if (pending <= max) return false;
    this.outputOverflow = true;
    queueMicrotask(() => this.close('OUTPUT_OVERFLOW', `peer does not read: ${pending} bytes queued (limit ${max})`));
    return true;
  }

  private sendMessage(msg: RtmpMessage): void {
    this.writeRaw(this.encoder.encode(msg));
  }

  // ---------------------------------------------------------------------------------------------
  // Session requests

  private wireSession(): void {
    const s = this.session;
    s.on('outChunkSize', (n) => this.encoder.setChunkSize(n));
    s.on('connect', (req) => this.onConnect(req));
    s.on('publish', (req) => void this.onPublish(req));
    s.on('play', (req) => void this.onPlay(req));
    s.on('media', (ev) => this.onMedia(ev));
    s.on('metadata', (ev) => this.onMetadata(ev));
    s.on('unpublish', (ev) => this.onUnpublish(ev));
    s.on('stopPlay', (ev) => this.onStopPlay(ev));
    s.on('warning', (w) => this.log.debug({ warning: w.code, streamId: w.streamId }, w.message));
    s.on('unknownCommand', (ev) => this.log.debug({ command: ev.command.name }, 'unknown command (answered)'));
    s.on('rtt', (ms) => this.log.trace({ rttMs: ms }, 'ping response'));
  }

  private onConnect(req: ConnectRequest): void {
    this.app = req.app;
    this.connectObject = req.commandObject;
    this.log = this.log.child({ app: req.app });
    this.session.acceptConnect();
    this.log.info({ tcUrl: req.tcUrl, flashVer: req.flashVer, objectEncoding: req.objectEncoding }, 'connected');
  }

  private keyFor(app: string, name: string): string | undefined {
    try {
      return streamKey(app, name);
    } catch {
      return undefined;
    }
  }

  private async onPublish(req: SessionPublishRequest): Promise<void> {
    const key = this.keyFor(req.app, req.name);
    if (key === undefined) {
      this.guard(() => {
        this.session.rejectPublish(req.streamId, 'NetStream.Publish.BadName', `Invalid stream name '${req.rawName}'`);
      });
      this.log.warn({ name: req.rawName }, 'publish refused: invalid stream name');
      return;
    }
    const request: PublishRequest = { ...this.streamRequest(req, key), publishType: req.publishType };
    const log = this.log.child({ stream: key });
    // Checked before asking the policy (no registry claim or webhook call for a publish that cannot start)
    // and again right before the hub takes it (other publishes may have started meanwhile).
    if (!this.checkPublisherLimit(req.streamId, key)) return;
    await this.askPolicy({ kind: 'publish', request }, req.streamId, log, () => {
      if (!this.checkPublisherLimit(req.streamId, key)) {
        this.publishEnded(request);
        return;
      }
      let publication: Publication;
      try {
        publication = this.host.hub.publish(key, this.publisherSource(req.streamId, key), {
          duplicatePolicy: this.host.options.duplicatePublish,
        });
      } catch (err) {
        this.publishEnded(request);
        if (isHubError(err) && err.code === 'STREAM_ALREADY_PUBLISHED') {
          this.session.rejectPublish(req.streamId, 'NetStream.Publish.BadName', `Already publishing: ${key}`);
          log.warn({ status: 'NetStream.Publish.BadName', errorCode: err.code }, 'publish refused: already publishing');
          return;
        }
        if (isHubError(err)) {
          this.session.rejectPublish(req.streamId, 'NetStream.Publish.Failed', err.message);
          log.warn({ errorCode: err.code }, `publish refused: ${err.message}`);
          return;
        }
        throw err;
      }
      // Registered before acceptPublish: it flushes media queued while we waited, synchronously.
      this.publishes.set(req.streamId, { streamId: req.streamId, key, request, publication });
      this.lastRole = 'publisher';
      this.streamKeysSeen.add(key);
      if (!this.session.acceptPublish(req.streamId)) {
        this.publishes.delete(req.streamId);
        publication.unpublish();
        this.publishEnded(request);
        return;
      }
      log.info({ publishType: req.publishType }, 'publish started');
    });
  }

  /** The fields of a publish or play request to the policy that this connection and the session know. */
  private streamRequest(req: SessionPublishRequest | SessionPlayRequest, key: string): StreamRequest {
    return {
      connId: this.connId,
      remoteAddress: this.remoteAddress,
      app: req.app,
      name: req.name,
      key,
      query: { ...req.appQuery, ...req.query },
      nameQuery: { ...req.query },
      appQuery: { ...req.appQuery },
      clientIp: this.clientIp,
      secure: this.secure,
      tcUrl: req.tcUrl,
      connectObject: this.connectObject,
    };
  }

  /**
   * Asks the policy about a publish or play and runs `allowed` in the same turn as the answer, so that
   * nothing can close the connection in between. A policy that throws refuses; a refusal is answered with
   * its status code and, when the policy says so, closes the connection.
   */
  private async askPolicy(ask: PolicyQuestion, streamId: number, log: Logger, allowed: () => void): Promise<void> {
    const policy = this.host.options.policy;
    const refusal = REFUSAL[ask.kind];
    let decision: AccessDecision;
    this.pendingDecisions++;
    try {
      decision = await (ask.kind === 'publish' ? policy.onPublishRequest(ask.request) : policy.onPlayRequest(ask.request));
    } catch (err) {
      decision = { allow: false, statusCode: refusal.policyFailedCode, description: `${refusal.checkName} check failed: ${(err as Error).message}` };
    } finally {
      this.pendingDecisions--;
    }
    if (this.closed) {
      // The claim (if the policy made one) must be released: the publish or play will never start.
      if (decision.allow) this.policyEnded(ask);
      return;
    }
    this.guard(() => {
      if (!decision.allow) {
        const code = decision.statusCode ?? refusal.defaultCode;
        if (ask.kind === 'publish') this.session.rejectPublish(streamId, code, decision.description);
        else this.session.rejectPlay(streamId, code, decision.description);
        log.warn({ status: code }, `${ask.kind} refused: ${decision.description}`);
        if (decision.closeConnection) this.close('ACCESS_DENIED', `${ask.kind} of ${ask.request.key} refused: ${decision.description}`, code, true);
        return;
      }
      allowed();
    });
  }

  private policyEnded(ask: PolicyQuestion): void {
    if (ask.kind === 'publish') this.publishEnded(ask.request);
    else this.playEnded(ask.request);
  }

  /** Tells the policy an allowed publish is over (it releases what it acquired, e.g. the registry claim). */
  private publishEnded(request: PublishRequest): void {
    this.safePolicyCall(() => this.host.options.policy.onPublishEnded?.(request));
  }

  private playEnded(request: PlayRequest): void {
    this.safePolicyCall(() => this.host.options.policy.onPlayEnded?.(request));
  }

  /** false (publish refused, connection closing) when the server has its maximum of publishers */
  private checkPublisherLimit(streamId: number, key: string): boolean {
    if (this.host.publishAllowed?.() ?? true) return true;
    const max = this.host.options.maxPublishers;
    const description = `Server publisher limit reached (${max} streams)`;
    this.guard(() => this.session.rejectPublish(streamId, 'NetStream.Publish.Failed', description));
    this.log.warn({ stream: key, limit: max }, `publish refused: ${description}`);
    this.close('MAX_PUBLISHERS', `publish of ${key} refused: ${max} streams already published`, undefined, true);
    return false;
  }

  private publisherSource(streamId: number, key: string): PublisherSource {
    return {
      id: `${this.connId}/${streamId}`,
      close: (reason: PublisherCloseReason) => {
        this.guard(() => {
          const pub = this.publishes.get(streamId);
          if (!pub) return;
          // The hub already detached us; forget the publication so no unpublish() is needed.
          this.publishes.delete(streamId);
          this.publishEnded(pub.request);
          switch (reason) {
            case 'takeover':
              this.session.endPublish(streamId, 'NetStream.Publish.BadName', `Stream ${key} was taken over by another publisher`);
              this.close('PUBLISH_TAKEN_OVER', `another publisher took over ${key}`);
              break;
            case 'kicked':
              this.session.endPublish(streamId, 'NetStream.Unpublish.Success', `Stream ${key} was stopped by the server`);
              this.close('KICKED', `publisher of ${key} kicked`);
              break;
            case 'hubClosed':
              this.session.endPublish(streamId, 'NetStream.Unpublish.Success', 'Server shutting down');
              this.close('SERVER_SHUTDOWN', 'hub closed');
              break;
          }
        });
      },
    };
  }

  private async onPlay(req: SessionPlayRequest): Promise<void> {
    const key = this.keyFor(req.app, req.name);
    if (key === undefined) {
      this.guard(() => this.session.playNotFound(req.streamId, `Invalid stream name '${req.rawName}'`));
      this.log.warn({ name: req.rawName }, 'play refused: invalid stream name');
      return;
    }
    const request: PlayRequest = { ...this.streamRequest(req, key), start: req.start };
    const log = this.log.child({ stream: key });
    await this.askPolicy({ kind: 'play', request }, req.streamId, log, () => {
      const hub = this.host.hub;
      const live = hub.isLive(key);
      if (live && !this.session.acceptPlay(req.streamId)) {
        this.playEnded(request);
        return;
      }
      if (!live && this.session.stream(req.streamId)?.state !== 'playPending') {
        this.playEnded(request);
        return;
      }
      // A message stream that plays again (after closeStream, or a pending play the client abandoned)
      // must not leave its previous subscription behind.
      this.endPlay(req.streamId);
      const sink = new PlayerSink(`${this.connId}/${req.streamId}`, req.streamId, this);
      const play: ActivePlay = { streamId: req.streamId, key, request, sink, subscription: undefined!, started: live, waitTimer: undefined };
      // Registered before subscribe: a publisher may start synchronously inside it.
      this.plays.set(req.streamId, play);
      this.lastRole = 'player';
      this.streamKeysSeen.add(key);
      try {
        play.subscription = hub.subscribe(key, sink);
      } catch (err) {
        this.plays.delete(req.streamId);
        this.playEnded(request);
        const message = err instanceof Error ? err.message : String(err);
        if (!live) this.session.rejectPlay(req.streamId, 'NetStream.Play.Failed', message);
        else this.session.sendStatus(req.streamId, 'error', 'NetStream.Play.Failed', message);
        log.warn({ err: message }, 'play failed: could not subscribe');
        return;
      }
      if (play.started) {
        log.info({ start: req.start }, 'play started');
        return;
      }
      const waitMs = this.host.options.playWaitMs;
      log.info({ waitMs }, 'play waits for a publisher');
      const notFound = (): void => {
        this.guard(() => {
          const p = this.plays.get(req.streamId);
          if (!p || p !== play || p.started) return;
          p.waitTimer = undefined;
          this.plays.delete(req.streamId);
          p.subscription.unsubscribe();
          this.session.playNotFound(req.streamId, `No publisher for ${key} within ${waitMs} ms`);
          this.playEnded(request);
          log.info({ waitMs }, 'play failed: stream not found');
        });
      };
      if (waitMs <= 0) notFound();
      else {
        play.waitTimer = setTimeout(notFound, waitMs);
        play.waitTimer.unref();
      }
    });
  }

  private onMedia(ev: MediaEvent): void {
    this.publishes.get(ev.streamId)?.publication.push(ev.message);
  }

  private onMetadata(ev: MetadataEvent): void {
    const pub = this.publishes.get(ev.streamId);
    if (!pub) return;
    pub.publication.push(ev.message);
    this.log.debug({ stream: pub.key }, 'metadata received');
  }

  private onUnpublish(ev: StreamEndEvent): void {
    const pub = this.publishes.get(ev.streamId);
    if (!pub) return;
    this.publishes.delete(ev.streamId);
    pub.publication.unpublish();
    this.publishEnded(pub.request);
    this.log.info({ stream: pub.key, reason: ev.reason }, 'publish ended');
  }

  private onStopPlay(ev: StreamEndEvent): void {
    if (this.endPlay(ev.streamId)) this.log.info({ streamId: ev.streamId, reason: ev.reason }, 'play ended');
  }

  /** Releases what a play holds (subscription, wait timer, policy). Returns false if there was none. */
  private endPlay(streamId: number): boolean {
    const play = this.plays.get(streamId);
    if (!play) return false;
    this.plays.delete(streamId);
    if (play.waitTimer) clearTimeout(play.waitTimer);
    play.subscription?.unsubscribe();
    this.playEnded(play.request);
    return true;
  }

  private safePolicyCall(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'stream access policy callback threw');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Timers (driven by the server's sweep) and shutdown

  /** Called periodically by the server with the monotonic clock. */
  tick(now: number): void {
    if (this.closed) return;
    const o = this.host.options;
    if (this.phase === 'handshake') {
      if (now - this.openedAt >= o.handshakeTimeoutMs) {
        this.close('HANDSHAKE_TIMEOUT', `handshake not finished after ${o.handshakeTimeoutMs} ms`);
      }
      return;
    }
    const pingSince = this.session.pendingPingSince;
    if (pingSince !== undefined && now - pingSince >= o.pingTimeoutMs && now - this.lastInputAt >= o.pingTimeoutMs) {
      this.close('PING_TIMEOUT', `no answer to a ping for ${now - pingSince} ms`);
      return;
    }
    // Players may legitimately send nothing for a long time; they are pinged instead.
    if (this.plays.size === 0 && this.pendingDecisions === 0 && now - this.lastInputAt >= o.idleTimeoutMs) {
      this.close('IDLE_TIMEOUT', `no input for ${now - this.lastInputAt} ms`);
      return;
    }
    if (o.pingIntervalMs > 0 && this.session.state === 'connected' && now - this.lastPingAt >= o.pingIntervalMs) {
      this.lastPingAt = now;
      this.guard(() => this.session.ping(now));
    }
  }

  /**
   * Graceful stop for a draining server: publishers get Unpublish.Success and are closed (their players get
   * UnpublishNotify + StreamEOF from the hub), players get the same status for what they play. The socket is
   * ended (FIN after queued data), not destroyed.
   */
  shutdown(): void {
    if (this.closed) return;
    this.guard(() => {
      for (const pub of [...this.publishes.values()]) {
        this.publishes.delete(pub.streamId);
        pub.publication.unpublish();
        this.publishEnded(pub.request);
        this.session.endPublish(pub.streamId, 'NetStream.Unpublish.Success', 'Server shutting down');
      }
      for (const play of this.plays.values()) {
        if (play.started) this.session.notifyUnpublished(play.streamId);
        else this.session.playNotFound(play.streamId, 'Server shutting down');
      }
    });
    this.close('SERVER_SHUTDOWN', 'server shutting down', undefined, true);
  }

  /** Drops the transport now (drain deadline). */
  destroySocket(): void {
    this.socket.destroy();
  }

  /** Closes the connection once; `graceful` lets queued output drain (socket.end) before the FIN. */
  close(reason: ConnectionCloseReason, message: string, errorCode?: string, graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    const streams = [...this.streamKeysSeen];
    const role = this.role !== 'none' ? this.role : this.lastRole;
    for (const pub of this.publishes.values()) {
      pub.publication.unpublish();
      this.publishEnded(pub.request);
    }
    this.publishes.clear();
    for (const streamId of [...this.plays.keys()]) this.endPlay(streamId);
    try {
      // Emits unpublish/stopPlay for what is left; our maps are already empty.
      if (this.phase === 'session') this.session.close();
    } catch (err) {
      this.log.error({ err }, 'session close threw');
    }
    if (graceful) {
      this.socket.end();
      // A peer that does not read would keep the socket half-open forever.
      setTimeout(() => this.socket.destroy(), 5000).unref();
    } else {
      this.socket.destroy();
    }
    const event: ConnectionClosedEvent = {
      connId: this.connId,
      remoteAddress: this.remoteAddress,
      reason,
      errorCode,
      message,
      phase: this.phase,
      role,
      streams,
      bytesIn: this._bytesIn,
      bytesOut: this._bytesOut,
      durationMs: monotonicMs() - this.openedAt,
    };
    const fields = { reason, errorCode, phase: this.phase, role, streams, bytesIn: this._bytesIn, bytesOut: this._bytesOut };
    const normal = reason === 'PEER_CLOSED' || reason === 'SERVER_SHUTDOWN';
    // TCP health checks of load balancers connect and close without a byte: not worth a warning.
    const probe = reason === 'HANDSHAKE_INCOMPLETE' && this._bytesIn === 0;
    if (probe) this.log.debug(fields, `connection closed: ${message}`);
    else if (normal) this.log.info(fields, `connection closed: ${message}`);
    else this.log.warn(fields, `connection closed: ${reason}${errorCode ? ` (${errorCode})` : ''}: ${message}`);
    this.host.connectionClosed(this, event);
  }
}

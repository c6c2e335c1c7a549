/**
 * One accepted socket: ServerHandshake -> ChunkDecoder -> ServerSession, wired to what the connection
 * publishes and plays. Everything a peer can trigger is caught here and turned into a close of THIS
 * connection with a precise reason; nothing escapes into the socket's event handlers.
 *
 * The parts: ConnectionOutput (writes and their bound), ConnectionTimeouts (handshake, idle, ping),
 * StreamAccessGate (the policy's decisions), ConnectionPublishes and ConnectionPlays (the hub side).
 */
import { ChunkDecoder, FourCcSupport, ServerHandshake, ServerSession, isRtmpError, type ConnectRequest } from '@rtmp-cluster/rtmp';
import type { Logger } from '@rtmp-cluster/core';
import { logConnectionClosed, type ConnectionCloseReason, type ConnectionClosedEvent, type ConnectionRole } from './ConnectionClose.js';
import { ConnectionOutput } from './ConnectionOutput.js';
import { ConnectionPlays } from './ConnectionPlays.js';
import { ConnectionPublishes } from './ConnectionPublishes.js';
import { ConnectionTimeouts, monotonicMs } from './ConnectionTimeouts.js';
import type { ConnectionContext, ConnectionHost, ConnectionInfo, RtmpConnectionOptions, RtmpSocket } from './ConnectionTypes.js';
import { StreamAccessGate } from './StreamAccessGate.js';

export class RtmpConnection implements ConnectionContext {
  readonly openedAt = monotonicMs();
  /** 'ip:port' of the peer as the socket reports it */
  readonly remoteAddress: string;
  /** the peer's IP without the port (per-address limits, the access policy) */
  readonly clientIp: string;
  /** the connection came in over TLS */
  readonly secure: boolean;
  readonly session: ServerSession;
  /** resolves once the socket is fully closed (after a graceful end, when the peer got everything) */
  readonly socketClosed: Promise<void>;
  private phase: 'handshake' | 'session' = 'handshake';
  private closed = false;
  /** dropped once done: it holds C1/S1 copies (kilobytes per connection) nobody needs afterwards */
  private handshake: ServerHandshake | undefined = new ServerHandshake();
  private decoder: ChunkDecoder | undefined;
  private currentLog: Logger;
  /**
   * What the connection's log lines carry. Its loggers are children of the server's, never of each other: a
   * pino child of a child makes its parent a prototype, which V8 turns into a dictionary-mode object with
   * prototype bookkeeping, about 0.5 KB per connection for nothing.
   */
  private logBindings: Record<string, unknown>;
  private app: string | undefined;
  /** the codecs its connect declared (fourCcList): what it is sent as a player (PlayerTag) */
  fourCcs: FourCcSupport = FourCcSupport.LEGACY;
  private bytesReceived = 0;
  /** the decoder's partial-message bytes as last reported to the host */
  private reportedPartialBytes = 0;
  private readonly output: ConnectionOutput;
  private readonly timeouts: ConnectionTimeouts;
  private readonly gate: StreamAccessGate;
  private readonly publishes: ConnectionPublishes;
  private readonly plays: ConnectionPlays;
  private readonly streamKeysSeen = new Set<string>();
  /** what the connection did last (kept after the publish/play ended, for the close log) */
  private lastRole: ConnectionRole = 'none';

  constructor(
    readonly connId: string,
    private readonly socket: RtmpSocket,
    readonly host: ConnectionHost,
    private readonly parentLog: Logger,
    connOptions: RtmpConnectionOptions = {},
  ) {
    this.remoteAddress = connOptions.remoteAddress ?? `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.clientIp = connOptions.clientIp ?? socket.remoteAddress ?? '?';
    this.secure = connOptions.secure ?? false;
    this.logBindings = {
      connId,
      remote: this.remoteAddress,
      ...(connOptions.proxiedBy !== undefined ? { proxy: connOptions.proxiedBy } : {}),
      ...(this.secure ? { tls: true } : {}),
    };
    this.currentLog = parentLog.child(this.logBindings);
    const opts = host.options;
    // The close runs in a microtask: writes happen inside session and hub callbacks that must finish.
    this.output = new ConnectionOutput(socket, opts.maxPendingOutputBytes, (pending, max) =>
      queueMicrotask(() => this.close('OUTPUT_OVERFLOW', `peer does not read: ${pending} bytes queued (limit ${max})`)),
    );
    this.timeouts = new ConnectionTimeouts(this.openedAt, opts);
    this.session = new ServerSession({
      send: (msg) => this.output.sendMessage(msg),
      outChunkSize: opts.chunkSize,
      windowAckSize: opts.windowAckSize,
      peerBandwidth: opts.windowAckSize,
      limits: opts.limits,
    });
    this.gate = new StreamAccessGate(this);
    this.publishes = new ConnectionPublishes(this, this.gate);
    this.plays = new ConnectionPlays(this, this.gate, this.output);
    this.wireSession();
    socket.setNoDelay(true);
    this.socketClosed = socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err: NodeJS.ErrnoException) => this.close('SOCKET_ERROR', err.message, err.code));
    socket.on('close', () => {
      if (this.phase === 'handshake') this.close('HANDSHAKE_INCOMPLETE', 'peer closed the socket during the handshake');
      else this.close('PEER_CLOSED', 'peer closed the socket');
    });
    this.log.debug({}, 'connection accepted');
  }

  get log(): Logger {
    return this.currentLog;
  }
  streamLog(bindings: Record<string, unknown>): Logger {
    return this.parentLog.child({ ...this.logBindings, ...bindings });
  }
  get bytesIn(): number {
    return this.bytesReceived;
  }
  get bytesOut(): number {
    return this.output.bytesOut;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** what the connection holds in memory: messages being reassembled and output not yet taken by the kernel */
  get heldBytes(): number {
    return this.reportedPartialBytes + this.output.pendingBytes;
  }
  /** output not yet taken by the kernel (the node's memory budget samples it) */
  get outputBytes(): number {
    return this.output.pendingBytes;
  }
  /** streams this connection publishes now (the server's maxPublishers counts these) */
  get publishingCount(): number {
    return this.publishes.count;
  }
  /** what the connection does now */
  get role(): ConnectionRole {
    if (this.publishes.count > 0) return 'publisher';
    if (this.plays.count > 0) return 'player';
    return 'none';
  }

  info(): ConnectionInfo {
    return {
      connId: this.connId,
      remoteAddress: this.remoteAddress,
      secure: this.secure,
      phase: this.phase,
      role: this.role,
      app: this.app,
      publishing: this.publishes.keys(),
      playing: this.plays.keys(),
      bytesIn: this.bytesReceived,
      bytesOut: this.output.bytesOut,
      pendingBytes: this.output.pendingBytes,
      rttMs: this.phase === 'session' ? this.session.rttMs : undefined,
      connectedForMs: monotonicMs() - this.openedAt,
    };
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

  // ConnectionContext

  guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.failed(err);
    }
  }

  streamStarted(role: 'publisher' | 'player', key: string): void {
    this.lastRole = role;
    this.streamKeysSeen.add(key);
    // Until a publish is allowed only commands are expected: media-sized messages are for publishers.
    if (role === 'publisher') this.decoder?.setMaxMessageSize(this.host.options.limits.maxMessageSize ?? this.decoder.maxMessageSize);
  }

  // ---------------------------------------------------------------------------------------------
  // Input

  /** Bytes read off the socket before the connection existed (what followed a PROXY header). */
  feed(data: Buffer): void {
    if (data.length > 0) this.onData(data);
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.bytesReceived += data.length;
    this.timeouts.input(monotonicMs());
    try {
      if (this.phase === 'handshake') {
        const handshake = this.handshake!;
        const step = handshake.push(data);
        if (step.send) this.output.write(step.send);
        if (!step.done) return;
        this.phase = 'session';
        this.handshake = undefined;
        this.log.debug({ handshake: handshake.mode }, 'handshake complete');
        const opts = this.host.options;
        this.decoder = new ChunkDecoder((msg) => this.session.handleMessage(msg, monotonicMs()), {
          limits: { ...opts.limits, maxMessageSize: opts.maxMessageSizeBeforePublish },
        });
        if (step.remainder.length === 0) return;
        data = step.remainder;
      }
      this.decoder!.push(data);
      this.reportPartialBytes();
      if (!this.closed) this.session.onBytesReceived(this.decoder!.bytesReceived);
    } catch (err) {
      this.reportPartialBytes();
      this.failed(err);
    }
  }

  /** Tells the host (the node's memory budget) how the bytes of partial messages changed. */
  private reportPartialBytes(): void {
    const now = this.closed || this.decoder === undefined ? 0 : this.decoder.pendingBytes;
    const delta = now - this.reportedPartialBytes;
    if (delta === 0) return;
    this.reportedPartialBytes = now;
    this.host.partialBytesChanged?.(delta);
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

  private wireSession(): void {
    const s = this.session;
    s.on('outChunkSize', (n) => this.output.setChunkSize(n));
    s.on('connect', (req) => this.onConnect(req));
    // A failure while deciding (policy, registry, webhook) closes this connection only, never the process.
    s.on('publish', (req) => {
      this.publishes.request(req).catch((err: unknown) => this.failed(err));
    });
    s.on('play', (req) => {
      this.plays.request(req).catch((err: unknown) => this.failed(err));
    });
    s.on('media', (ev) => this.publishes.media(ev));
    s.on('metadata', (ev) => this.publishes.metadata(ev));
    s.on('unpublish', (ev) => this.publishes.ended(ev));
    s.on('stopPlay', (ev) => this.plays.ended(ev));
    s.on('warning', (w) => this.log.debug({ warning: w.code, streamId: w.streamId }, w.message));
    s.on('unknownCommand', (ev) => this.log.debug({ command: ev.command.name }, 'unknown command (answered)'));
    s.on('rtt', (ms) => this.log.debug({ rttMs: ms }, 'ping response'));
  }

  private onConnect(req: ConnectRequest): void {
    this.app = req.app;
    this.gate.connected(req.commandObject);
    this.fourCcs = FourCcSupport.fromConnect(req.fourCcList);
    this.logBindings = { ...this.logBindings, app: req.app };
    this.currentLog = this.parentLog.child(this.logBindings);
    this.session.acceptConnect();
    this.log.info({ tcUrl: req.tcUrl, flashVer: req.flashVer, objectEncoding: req.objectEncoding }, 'connected');
  }

  // ---------------------------------------------------------------------------------------------
  // Timers (driven by the server's sweep) and shutdown

  /** Called periodically by the server with the monotonic clock. */
  tick(now: number): void {
    if (this.closed) return;
    const session = this.phase === 'session' ? this.session : undefined;
    const verdict = this.timeouts.check(now, {
      phase: this.phase,
      pendingPingSince: session?.pendingPingSince,
      role: this.role,
      mediaMessages: this.publishes.mediaMessages,
      pendingDecisions: this.gate.pendingDecisions,
      canPing: session?.state === 'connected',
    });
    if (verdict.action === 'close') this.close(verdict.reason, verdict.message);
    else if (verdict.action === 'ping') this.guard(() => this.session.ping(now));
  }

  /**
   * Graceful stop for a draining server: publishers get Unpublish.Success and are closed (their players get
   * UnpublishNotify + StreamEOF from the hub), players get the same status for what they play. The socket is
   * ended (FIN after queued data), not destroyed.
   */
  shutdown(): void {
    if (this.closed) return;
    this.guard(() => {
      this.publishes.shutdown();
      this.plays.shutdown();
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
    this.output.stop();
    this.reportPartialBytes();
    const role = this.role !== 'none' ? this.role : this.lastRole;
    this.publishes.endAll();
    this.plays.endAll();
    try {
      // Emits unpublish/stopPlay for what is left; publishes and plays are already empty.
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
      streams: [...this.streamKeysSeen],
      bytesIn: this.bytesReceived,
      bytesOut: this.output.bytesOut,
      durationMs: monotonicMs() - this.openedAt,
    };
    logConnectionClosed(this.log, event);
    this.host.connectionClosed(this, event);
  }
}

/**
 * The RTMP listeners (plain TCP and RTMPS over TLS): hand every accepted socket to ConnectionAdmission and,
 * if admitted, to an RtmpConnection; drive every connection's timeouts from one sweep timer; count what
 * happened; drain on shutdown.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type tls from 'node:tls';
import { DEFAULT_LIMITS } from '@rtmp-cluster/rtmp';
import type { StreamHub } from '@rtmp-cluster/media';
import { addressLimitKey, CidrList, formatHostPort, nodeTls, normalizeIp, type Logger } from '@rtmp-cluster/core';
import { ConnectionAdmission, type AdmissionCounts, type AdmissionRefusal } from './ConnectionAdmission.js';
import type { ConnectionClosedEvent } from './ConnectionClose.js';
import { monotonicMs } from './ConnectionTimeouts.js';
import type { ConnectionHost, ConnectionIdentity, ConnectionInfo, RtmpSocket } from './ConnectionTypes.js';
import { MemoryBudget } from './MemoryBudget.js';
import type { ProxyAddress } from './proxy/ProxyHeader.js';
import { readProxyPreface } from './proxy/ProxyPreface.js';
import { RtmpConnection } from './RtmpConnection.js';
import type { ResolvedServerOptions, RtmpServerOptions } from './ServerOptions.js';
import { AllowAllAccessPolicy } from './StreamAccessPolicy.js';

export interface ConnectionOpenedEvent {
  connId: string;
  remoteAddress: string;
}

export interface RtmpServerEvents {
  connectionOpened: [ConnectionOpenedEvent];
  connectionClosed: [ConnectionClosedEvent];
}

/** Counters since start, except where a field says "open". */
export interface RtmpServerStats extends AdmissionCounts {
  /** open connections (including those still in the handshake) */
  connections: number;
  /** open connections publishing, playing */
  publishers: number;
  players: number;
  /** bytes read/written since start, open and closed connections together */
  bytesIn: number;
  bytesOut: number;
  /** TLS handshakes that failed or timed out before an RTMP connection existed */
  tlsHandshakeFailures: number;
  /** open connections that came in over TLS */
  secureConnections: number;
  /** closed connections per reason since start */
  closedByReason: Record<string, number>;
  /** the node-wide memory budget in bytes (0: none) */
  memoryBudgetBytes: number;
  /** what the connections hold now: messages being reassembled (exact) plus output queues (as last sampled) */
  memoryHeldBytes: number;
  /** connections closed because the node was over its memory budget */
  memoryBudgetCloses: number;
  /** access decisions the node waits for now */
  pendingDecisions: number;
  /** publishes and plays refused without asking the policy: too many decisions pending on the connection or node */
  decisionsShed: number;
}

export function resolveServerOptions(o: RtmpServerOptions): ResolvedServerOptions {
  const maxMessageSize = o.limits?.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
  return {
    hub: o.hub,
    logger: o.logger,
    policy: o.policy ?? new AllowAllAccessPolicy(),
    chunkSize: o.chunkSize ?? 4096,
    playWaitMs: o.playWaitMs ?? 10_000,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
    idleTimeoutMs: o.idleTimeoutMs ?? 30_000,
    pingIntervalMs: o.pingIntervalMs ?? 10_000,
    pingTimeoutMs: o.pingTimeoutMs ?? 30_000,
    maxConnections: o.maxConnections ?? 10_000,
    maxConnectionsPerIp: o.maxConnectionsPerIp ?? 1000,
    connectionRatePerIp: o.connectionRatePerIp ?? 50,
    connectionBurstPerIp: o.connectionBurstPerIp ?? 100,
    maxPublishers: o.maxPublishers ?? 10_000,
    maxPendingOutputBytes: o.maxPendingOutputBytes ?? 64 * 1024 * 1024,
    limits: { ...o.limits, maxMessageSize },
    maxMessageSizeBeforePublish: Math.min(o.maxMessageSizeBeforePublish ?? 64 * 1024, maxMessageSize),
    memoryBudgetBytes: o.memoryBudgetBytes ?? 0,
    maxPendingDecisions: o.maxPendingDecisions ?? 1000,
    duplicatePublish: o.duplicatePublish ?? 'reject',
    windowAckSize: o.windowAckSize ?? 2_500_000,
    proxyProtocol: o.proxyProtocol ?? { mode: 'off', trusted: new CidrList([]) },
  };
}

export class RtmpServer extends EventEmitter<RtmpServerEvents> implements ConnectionHost {
  readonly options: ResolvedServerOptions;
  readonly hub: StreamHub;
  private readonly log: Logger;
  private readonly netServers: net.Server[] = [];
  private readonly tlsServers: tls.Server[] = [];
  /** RTMPS listeners behind a PROXY protocol balancer: plain TCP until the header is read (see listenTlsBehindProxy) */
  private readonly proxiedTlsServers: net.Server[] = [];
  private proxiedTlsContext: tls.SecureContext | undefined;
  /** TCP sockets of the RTMPS listener still in the TLS handshake (not connections yet; closed on shutdown) */
  private readonly tlsPending = new Set<net.Socket>();
  /** raw sockets refused at TCP accept: their aborted TLS handshake is not a TLS failure */
  private readonly tlsRefused = new WeakSet<net.Socket>();
  private readonly connections = new Map<string, RtmpConnection>();
  private nextConnId = 1;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly admission: ConnectionAdmission;
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private readonly closedByReason: Record<string, number> = {};
  private readonly idPrefix: string;
  private tlsFailures = 0;
  private readonly memory: MemoryBudget | undefined;
  private memoryCheckQueued = false;
  private memoryCloses = 0;
  private lastPrefaceWarnAt = -Infinity;
  private pendingDecisions = 0;
  private decisionsShedCount = 0;

  constructor(options: RtmpServerOptions & { connIdPrefix?: string }) {
    super();
    this.options = resolveServerOptions(options);
    this.hub = options.hub;
    this.log = options.logger.child({ component: 'rtmp-server' });
    this.idPrefix = options.connIdPrefix ?? 'c';
    this.memory = this.options.memoryBudgetBytes > 0 ? new MemoryBudget(this.options.memoryBudgetBytes) : undefined;
    const memory = this.memory;
    this.admission = new ConnectionAdmission(this.options, this.log, memory === undefined ? undefined : () => memory.admitsNew);
  }

  /** Opens a plain TCP listener. Resolves with its address (port 0 picks a free port). */
  async listen(port: number, host = '0.0.0.0'): Promise<AddressInfo> {
    const server = net.createServer({ noDelay: true }, (socket) => this.handleSocket(socket));
    return this.bind(server, port, host, 'rtmp', this.netServers);
  }

  /**
   * Opens an RTMPS listener: RTMP inside TLS, same connections and limits as the plain one. `secure` holds
   * the certificate and key (PEM); replace them later with setSecureContext (certificate rotation without a
   * restart). The TLS handshake is bounded by handshakeTimeoutMs like the RTMP one.
   */
  async listenTls(port: number, host: string, secure: tls.SecureContextOptions): Promise<AddressInfo> {
    if (this.options.proxyProtocol.mode !== 'off') return this.listenTlsBehindProxy(port, host, secure);
    const server = nodeTls().createServer({ ...secure, handshakeTimeout: this.options.handshakeTimeoutMs, noDelay: true });
    // The rate limit applies per TCP accept, before the (comparatively expensive) TLS handshake.
    server.on('connection', (raw: net.Socket) => {
      raw.on('error', () => undefined);
      const refusal = this.admission.checkRate(addressLimitKey(normalizeIp(raw.remoteAddress)), monotonicMs());
      if (refusal !== undefined) {
        this.tlsRefused.add(raw);
        this.refuse(raw, refusal, this.nextId());
        return;
      }
      this.tlsPending.add(raw);
      raw.once('close', () => this.tlsPending.delete(raw));
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      // The TLSSocket wraps the raw one (its _parent); from here on it is a connection like any other.
      const raw = (socket as unknown as { _parent?: net.Socket })._parent;
      if (raw !== undefined) this.tlsPending.delete(raw);
      this.adopt(socket, true);
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      const raw = (socket as unknown as { _parent?: net.Socket })._parent;
      if (raw !== undefined && this.tlsRefused.has(raw)) return;
      this.tlsFailures++;
      this.closedByReason['TLS_HANDSHAKE_FAILED'] = (this.closedByReason['TLS_HANDSHAKE_FAILED'] ?? 0) + 1;
      this.log.debug({ remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, err: err.message, code: err.code }, 'tls handshake failed');
      socket.destroy();
    });
    return this.bind(server, port, host, 'rtmps', this.tlsServers);
  }

  /**
   * Binds a listener and, once it listens, registers it in `listeners` (closed on shutdown) and starts the
   * sweep. A bind error (port in use) rejects; later listener errors are only logged.
   */
  private async bind<S extends net.Server>(server: S, port: number, host: string, scheme: 'rtmp' | 'rtmps', listeners: S[]): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    // The caller reports a bind error; only errors of a listening server are logged here.
    server.on('error', (err) => this.log.error({ err }, `${scheme} listener error`));
    listeners.push(server);
    this.startSweep();
    const addr = server.address() as AddressInfo;
    this.log.info({ address: addr.address, port: addr.port }, `${scheme} listening`);
    return addr;
  }

  /**
   * RTMPS with the PROXY protocol: the header comes before TLS, so the listener is plain TCP; after the header
   * the socket (with the bytes that followed it put back) is wrapped in a server-side TLSSocket, and the
   * connection is admitted under the client's address once the TLS handshake is done.
   */
  private async listenTlsBehindProxy(port: number, host: string, secure: tls.SecureContextOptions): Promise<AddressInfo> {
    this.proxiedTlsContext = nodeTls().createSecureContext(secure);
    const server = net.createServer({ noDelay: true }, (raw) => {
      raw.on('error', () => undefined);
      this.tlsPending.add(raw);
      raw.once('close', () => this.tlsPending.delete(raw));
      const startedAt = monotonicMs();
      readProxyPreface(raw, this.options.proxyProtocol, this.options.handshakeTimeoutMs, (outcome) => {
        if (!outcome.ok) {
          this.tlsPending.delete(raw);
          if (outcome.error === 'closed') return;
          if (outcome.error === 'timeout') this.rejectPreface(raw, 'HANDSHAKE_TIMEOUT', undefined, `no PROXY header within ${this.options.handshakeTimeoutMs} ms`);
          else this.rejectPreface(raw, 'PROXY_PROTOCOL_ERROR', outcome.error.code, outcome.error.message);
          return;
        }
        const client = outcome.client;
        const refusal = this.admission.checkRate(addressLimitKey(client?.address ?? normalizeIp(raw.remoteAddress)), monotonicMs());
        if (refusal !== undefined) {
          this.tlsPending.delete(raw);
          this.refuse(raw, refusal, this.nextId(), client?.address);
          return;
        }
        // The TLS layer reads what is buffered on the socket before it reads the socket itself.
        if (outcome.rest.length > 0) raw.unshift(outcome.rest);
        const socket = new (nodeTls().TLSSocket)(raw, { isServer: true, secureContext: this.proxiedTlsContext });
        const timer = setTimeout(() => socket.destroy(), Math.max(0, this.options.handshakeTimeoutMs - (monotonicMs() - startedAt)));
        socket.on('error', (err: NodeJS.ErrnoException) => {
          if (!this.tlsPending.delete(raw)) return;
          clearTimeout(timer);
          this.tlsFailures++;
          this.closedByReason['TLS_HANDSHAKE_FAILED'] = (this.closedByReason['TLS_HANDSHAKE_FAILED'] ?? 0) + 1;
          this.log.debug({ remote: `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`, err: err.message, code: err.code }, 'tls handshake failed');
          socket.destroy();
        });
        socket.once('secure', () => {
          clearTimeout(timer);
          this.tlsPending.delete(raw);
          this.adopt(socket, true, true, client);
        });
        raw.resume();
      });
    });
    return this.bind(server, port, host, 'rtmps', this.proxiedTlsServers);
  }

  /** Replaces certificate and key of every RTMPS listener; new handshakes use them, open connections continue. */
  setSecureContext(secure: tls.SecureContextOptions): void {
    for (const s of this.tlsServers) s.setSecureContext(secure);
    if (this.proxiedTlsContext !== undefined) this.proxiedTlsContext = nodeTls().createSecureContext(secure);
  }

  /** Addresses of the open plain listeners. */
  addresses(): AddressInfo[] {
    return this.netServers.map((s) => s.address()).filter((a): a is AddressInfo => a !== null && typeof a === 'object');
  }

  /** Addresses of the open RTMPS listeners. */
  tlsAddresses(): AddressInfo[] {
    return [...this.tlsServers, ...this.proxiedTlsServers]
      .map((s) => s.address()).filter((a): a is AddressInfo => a !== null && typeof a === 'object');
  }

  /**
   * Adopts an accepted socket (plain, or TLS after 'secureConnection'). A plain socket on a listener with the
   * PROXY protocol on reads its header first: limits, auth, logs and sessions then see the client's address.
   * Never throws.
   */
  handleSocket(socket: RtmpSocket): void {
    // A TLSSocket says so; testing `instanceof` would load node:tls on a node without RTMPS.
    const secure = (socket as Partial<tls.TLSSocket>).encrypted === true;
    const proxy = this.options.proxyProtocol;
    if (secure || proxy.mode === 'off') {
      this.adopt(socket, secure, false);
      return;
    }
    socket.on('error', () => undefined);
    readProxyPreface(socket, proxy, this.options.handshakeTimeoutMs, (outcome) => {
      if (outcome.ok) {
        this.adopt(socket, false, false, outcome.client, outcome.rest);
        return;
      }
      if (outcome.error === 'closed') return;
      if (outcome.error === 'timeout') {
        this.rejectPreface(socket, 'HANDSHAKE_TIMEOUT', undefined, `no PROXY header or RTMP handshake within ${this.options.handshakeTimeoutMs} ms`);
      } else {
        this.rejectPreface(socket, 'PROXY_PROTOCOL_ERROR', outcome.error.code, outcome.error.message);
      }
    });
  }

  /** Closes a socket that never became a connection (its PROXY header step failed), counted and logged. */
  private rejectPreface(socket: net.Socket, reason: 'PROXY_PROTOCOL_ERROR' | 'HANDSHAKE_TIMEOUT', errorCode: string | undefined, message: string): void {
    const connId = this.nextId();
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.closedByReason[reason] = (this.closedByReason[reason] ?? 0) + 1;
    socket.destroy();
    const now = monotonicMs();
    // At most one warning a second: a flood of spoofed headers must not flood the log.
    if (now - this.lastPrefaceWarnAt >= 1000) {
      this.lastPrefaceWarnAt = now;
      this.log.warn({ connId, remote: remoteAddress, reason, errorCode }, `connection refused: ${message}`);
    }
    this.emitNeverOpened(connId, remoteAddress, reason, errorCode, message);
  }

  /** The connectionClosed event of a socket closed before it became a connection. */
  private emitNeverOpened(connId: string, remoteAddress: string, reason: ConnectionClosedEvent['reason'], errorCode: string | undefined, message: string): void {
    this.emitSafe('connectionClosed', {
      connId,
      remoteAddress,
      reason,
      errorCode,
      message,
      phase: 'handshake',
      role: 'none',
      streams: [],
      bytesIn: 0,
      bytesOut: 0,
      durationMs: 0,
    });
  }

  private nextId(): string {
    return `${this.idPrefix}${(this.nextConnId++).toString(36)}`;
  }

  /**
   * `rateChecked`: the TLS listener already took a rate token at TCP accept. `client`: the address a trusted
   * proxy named; `initial`: bytes already read off the socket (after the PROXY header).
   */
  private adopt(socket: RtmpSocket, secure: boolean, rateChecked = secure, client?: ProxyAddress, initial?: Buffer): void {
    try {
      // Until the connection wires its own handler, an error must not become an uncaught exception.
      socket.on('error', () => undefined);
      // Handed over after it died (possible for sockets adopted late, e.g. after a TLS handshake).
      if (socket.destroyed) return;
      const connId = this.nextId();
      const ip = client?.address ?? normalizeIp(socket.remoteAddress);
      const limitKey = addressLimitKey(ip);
      const refusal = this.admission.admit(limitKey, monotonicMs(), rateChecked);
      if (refusal !== undefined) {
        this.refuse(socket, refusal, connId, ip);
        return;
      }
      let conn: RtmpConnection;
      try {
        conn = new RtmpConnection(connId, socket, this, this.log, {
          secure,
          clientIp: ip,
          ...(client !== undefined
            ? { remoteAddress: formatHostPort(client.address, client.port), proxiedBy: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` }
            : {}),
        });
      } catch (err) {
        this.admission.release(limitKey);
        throw err;
      }
      this.connections.set(connId, conn);
      this.startSweep();
      this.emitSafe('connectionOpened', { connId, remoteAddress: conn.remoteAddress });
      if (initial !== undefined) {
        conn.feed(initial);
        socket.resume();
      }
    } catch (err) {
      this.log.error({ err }, 'failed to adopt a socket');
      socket.destroy();
    }
  }

  /** `ip`: the client's address when a proxy named it (the socket's otherwise). */
  private refuse(socket: net.Socket, reason: AdmissionRefusal, connId: string, ip = normalizeIp(socket.remoteAddress)): void {
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const message = this.admission.refusal(reason, ip, { connId, remote: remoteAddress }, monotonicMs());
    this.closedByReason[reason] = (this.closedByReason[reason] ?? 0) + 1;
    socket.destroy();
    this.emitNeverOpened(connId, remoteAddress, reason, undefined, message);
  }

  /**
   * ConnectionHost: may `conn` start one more publish? Counts the streams published on this server right
   * now (publishes are rare, connections at most maxConnections: a scan is cheap and never drifts).
   */
  publishAllowed(): boolean {
    let publishing = 0;
    for (const c of this.connections.values()) publishing += c.publishingCount;
    return this.admission.publishAllowed(publishing);
  }

  /** ConnectionHost: one more access decision pending, unless the node waits for its maximum already. */
  decisionStarted(): boolean {
    if (this.pendingDecisions >= this.options.maxPendingDecisions) return false;
    this.pendingDecisions++;
    return true;
  }

  decisionEnded(): void {
    this.pendingDecisions--;
  }

  decisionShed(): void {
    this.decisionsShedCount++;
  }

  /** ConnectionHost: a connection's partial-message bytes changed (after every read). */
  partialBytesChanged(delta: number): void {
    const memory = this.memory;
    if (memory === undefined || !memory.adjustPartial(delta) || this.memoryCheckQueued) return;
    // Closed in a microtask: the connection that crossed the line is still inside its read.
    this.memoryCheckQueued = true;
    queueMicrotask(() => {
      this.memoryCheckQueued = false;
      this.enforceMemoryBudget();
    });
  }

  /** Over the budget: close the largest holders until the rest fit (one log line per enforcement). */
  private enforceMemoryBudget(): void {
    const memory = this.memory;
    if (memory === undefined || !memory.isOver) return;
    const heldBefore = memory.heldBytes;
    const victims = memory.selectToClose(this.connections.values(), (c) => c.heldBytes);
    let freed = 0;
    for (const c of victims) {
      const held = c.heldBytes;
      freed += held;
      this.memoryCloses++;
      c.close('MEMORY_BUDGET', `closed as one of the largest holders (${held} bytes) while the node held ${heldBefore} bytes (budget ${memory.limitBytes})`);
    }
    this.log.warn(
      { heldBytes: heldBefore, budgetBytes: memory.limitBytes, closed: victims.length, freedBytes: freed, connIds: victims.slice(0, 20).map((c) => c.connId) },
      `memory budget exceeded: closed the ${victims.length} largest holders`,
    );
  }

  /** ConnectionHost: bookkeeping when a connection is gone. */
  connectionClosed(conn: ConnectionIdentity, event: ConnectionClosedEvent): void {
    if (!this.connections.delete(conn.connId)) return;
    this.admission.release(addressLimitKey(conn.clientIp));
    this.closedBytesIn += conn.bytesIn;
    this.closedBytesOut += conn.bytesOut;
    this.closedByReason[event.reason] = (this.closedByReason[event.reason] ?? 0) + 1;
    this.emitSafe('connectionClosed', event);
  }

  private emitSafe<K extends keyof RtmpServerEvents>(name: K, ...args: RtmpServerEvents[K]): void {
    try {
      (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
    } catch (err) {
      this.log.error({ err, event: name }, 'server event listener threw');
    }
  }

  connection(connId: string): RtmpConnection | undefined {
    return this.connections.get(connId);
  }

  listConnections(): ConnectionInfo[] {
    return [...this.connections.values()].map((c) => c.info());
  }

  /** Closes one connection (operator kick). Returns false if there is no such connection. */
  kick(connId: string): boolean {
    const conn = this.connections.get(connId);
    if (!conn) return false;
    conn.close('KICKED', 'kicked by the server');
    return true;
  }

  stats(): RtmpServerStats {
    let publishers = 0;
    let players = 0;
    let secure = 0;
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const c of this.connections.values()) {
      const role = c.role;
      if (role === 'publisher') publishers++;
      else if (role === 'player') players++;
      if (c.secure) secure++;
      bytesIn += c.bytesIn;
      bytesOut += c.bytesOut;
    }
    return {
      connections: this.connections.size,
      publishers,
      players,
      bytesIn,
      bytesOut,
      ...this.admission.stats(),
      tlsHandshakeFailures: this.tlsFailures,
      secureConnections: secure,
      closedByReason: { ...this.closedByReason },
      memoryBudgetBytes: this.options.memoryBudgetBytes,
      memoryHeldBytes: this.memory?.heldBytes ?? 0,
      memoryBudgetCloses: this.memoryCloses,
      pendingDecisions: this.pendingDecisions,
      decisionsShed: this.decisionsShedCount,
    };
  }

  private startSweep(): void {
    if (this.sweepTimer) return;
    const o = this.options;
    const smallest = Math.min(o.handshakeTimeoutMs, o.idleTimeoutMs, o.pingTimeoutMs, o.pingIntervalMs > 0 ? o.pingIntervalMs : Infinity);
    const interval = Math.max(50, Math.min(1000, Math.floor(smallest / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
  }

  private sweep(): void {
    const now = monotonicMs();
    this.admission.sweep(now);
    let output = 0;
    for (const conn of [...this.connections.values()]) {
      try {
        conn.tick(now);
        output += conn.outputBytes;
      } catch (err) {
        this.log.error({ err, connId: conn.connId }, 'connection tick threw');
        conn.close('INTERNAL_ERROR', (err as Error).message);
      }
    }
    if (this.memory !== undefined) {
      this.memory.setOutput(output);
      this.enforceMemoryBudget();
    }
  }

  /** Stops accepting new connections (existing ones continue). */
  async stopAccepting(): Promise<void> {
    this.admission.stopAccepting();
    const servers: net.Server[] = [...this.netServers.splice(0), ...this.tlsServers.splice(0), ...this.proxiedTlsServers.splice(0)];
    // Sockets still in the TLS handshake would hold server.close() until their handshake timeout.
    for (const raw of this.tlsPending) raw.destroy();
    this.tlsPending.clear();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /**
   * Refuses new connections (SERVER_SHUTDOWN) but keeps the listeners bound: a node drained to stay in place can
   * resumeAccepting() later on the same ports.
   */
  pauseAccepting(): void {
    this.admission.stopAccepting();
  }

  /** Accepts again after pauseAccepting(). */
  resumeAccepting(): void {
    this.admission.resumeAccepting();
  }

  /**
   * Graceful shutdown: stop accepting, tell publishers and players the stream ended, end every socket, and
   * wait until all are gone or `deadlineMs` passed (then the rest is destroyed).
   */
  async shutdown(deadlineMs: number): Promise<void> {
    await this.closeConnections(deadlineMs, this.stopAccepting());
    this.stopSweep();
  }

  /**
   * Tells publishers and players the stream ended, ends every socket and waits until all are gone (and `closing`
   * settled) or `deadlineMs` passed; then the rest is destroyed. The listeners stay as they are.
   */
  async closeConnections(deadlineMs: number, closing: Promise<unknown> = Promise.resolve()): Promise<void> {
    const conns = [...this.connections.values()];
    this.log.info({ connections: conns.length, deadlineMs }, 'draining rtmp connections');
    // Publishers first, so their players get UnpublishNotify before their own sockets end.
    for (const c of conns) if (c.role === 'publisher') c.shutdown();
    for (const c of conns) c.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), deadlineMs);
    });
    const outcome = await Promise.race([Promise.all([closing, ...conns.map((c) => c.socketClosed)]), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      this.log.warn({ deadlineMs }, 'drain deadline passed: destroying remaining sockets');
      for (const c of conns) c.destroySocket();
      for (const c of [...this.connections.values()]) c.close('SERVER_SHUTDOWN', 'drain deadline passed');
    }
  }

  /** Immediate stop: listeners closed, every connection destroyed. */
  async close(): Promise<void> {
    const closing = this.stopAccepting();
    for (const c of [...this.connections.values()]) c.close('SERVER_SHUTDOWN', 'server closed');
    await closing;
    this.stopSweep();
  }

  private stopSweep(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }
}

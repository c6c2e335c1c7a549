/**
 * The RTMP listener: accepts sockets (plain TCP now; TLS sockets go through handleSocket too), enforces
 * the connection limit, drives every connection's timeouts from one sweep timer, and drains on shutdown.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { DEFAULT_LIMITS } from '@rtmp-cluster/rtmp';
import type { StreamHub } from '@rtmp-cluster/media';
import type { Logger } from 'pino';
import type { ConnectionClosedEvent } from './ConnectionClose.js';
import { RtmpConnection, monotonicMs, type ConnectionHost, type ConnectionInfo, type RtmpSocket } from './RtmpConnection.js';
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

export interface RtmpServerStats {
  /** open connections (including those still in the handshake) */
  connections: number;
  publishers: number;
  players: number;
  /** bytes read/written since start, open and closed connections together */
  bytesIn: number;
  bytesOut: number;
  /** connections accepted since start */
  connectionsAccepted: number;
  /** connections refused at accept because of maxConnections */
  connectionsRefused: number;
  /** closed connections per reason since start */
  closedByReason: Record<string, number>;
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
    limits: { ...o.limits, maxMessageSize },
    duplicatePublish: o.duplicatePublish ?? 'reject',
    windowAckSize: o.windowAckSize ?? 2_500_000,
  };
}

export class RtmpServer extends EventEmitter<RtmpServerEvents> implements ConnectionHost {
  readonly options: ResolvedServerOptions;
  readonly hub: StreamHub;
  private readonly log: Logger;
  private readonly netServers: net.Server[] = [];
  private readonly connections = new Map<string, RtmpConnection>();
  private nextConnId = 1;
  private sweepTimer: NodeJS.Timeout | undefined;
  private accepting = true;
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private accepted = 0;
  private refused = 0;
  private readonly closedByReason: Record<string, number> = {};
  private readonly idPrefix: string;

  constructor(options: RtmpServerOptions & { connIdPrefix?: string }) {
    super();
    this.options = resolveServerOptions(options);
    this.hub = options.hub;
    this.log = options.logger.child({ component: 'rtmp-server' });
    this.idPrefix = options.connIdPrefix ?? 'c';
  }

  /** Opens a plain TCP listener. Resolves with its address (port 0 picks a free port). */
  async listen(port: number, host = '0.0.0.0'): Promise<AddressInfo> {
    const server = net.createServer({ noDelay: true }, (socket) => this.handleSocket(socket));
    server.on('error', (err) => this.log.error({ err }, 'rtmp listener error'));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.netServers.push(server);
    this.startSweep();
    const addr = server.address() as AddressInfo;
    this.log.info({ address: addr.address, port: addr.port }, 'rtmp listening');
    return addr;
  }

  /** Addresses of the open listeners. */
  addresses(): AddressInfo[] {
    return this.netServers.map((s) => s.address()).filter((a): a is AddressInfo => a !== null && typeof a === 'object');
  }

  /** Adopts an accepted socket (plain or TLS after 'secureConnection'). Never throws. */
  handleSocket(socket: RtmpSocket): void {
    try {
      // Until the connection wires its own handler, an error must not become an uncaught exception.
      socket.on('error', () => undefined);
      // Handed over after it died (possible for sockets adopted late, e.g. after a TLS handshake).
      if (socket.destroyed) return;
      const connId = `${this.idPrefix}${(this.nextConnId++).toString(36)}`;
      if (!this.accepting || this.connections.size >= this.options.maxConnections) {
        this.refused++;
        const reason = this.accepting ? 'MAX_CONNECTIONS' : 'SERVER_SHUTDOWN';
        this.closedByReason[reason] = (this.closedByReason[reason] ?? 0) + 1;
        const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
        this.log.warn({ connId, remote: remoteAddress, reason, limit: this.options.maxConnections }, `connection refused: ${reason}`);
        socket.destroy();
        this.emitSafe('connectionClosed', {
          connId,
          remoteAddress,
          reason,
          errorCode: undefined,
          message: reason === 'MAX_CONNECTIONS' ? `server full (${this.options.maxConnections} connections)` : 'server shutting down',
          phase: 'handshake',
          role: 'none',
          streams: [],
          bytesIn: 0,
          bytesOut: 0,
          durationMs: 0,
        });
        return;
      }
      this.accepted++;
      const conn = new RtmpConnection(connId, socket, this, this.log);
      this.connections.set(connId, conn);
      this.startSweep();
      this.emitSafe('connectionOpened', { connId, remoteAddress: conn.info().remoteAddress });
    } catch (err) {
      this.log.error({ err }, 'failed to adopt a socket');
      socket.destroy();
    }
  }

  /** ConnectionHost: bookkeeping when a connection is gone. */
  connectionClosed(conn: RtmpConnection, event: ConnectionClosedEvent): void {
    if (!this.connections.delete(conn.connId)) return;
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
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const c of this.connections.values()) {
      const role = c.role;
      if (role === 'publisher') publishers++;
      else if (role === 'player') players++;
      bytesIn += c.bytesIn;
      bytesOut += c.bytesOut;
    }
    return {
      connections: this.connections.size,
      publishers,
      players,
      bytesIn,
      bytesOut,
      connectionsAccepted: this.accepted,
      connectionsRefused: this.refused,
      closedByReason: { ...this.closedByReason },
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
    for (const conn of [...this.connections.values()]) {
      try {
        conn.tick(now);
      } catch (err) {
        this.log.error({ err, connId: conn.connId }, 'connection tick threw');
        conn.close('INTERNAL_ERROR', (err as Error).message);
      }
    }
  }

  /** Stops accepting new connections (existing ones continue). */
  async stopAccepting(): Promise<void> {
    this.accepting = false;
    const servers = this.netServers.splice(0);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /**
   * Graceful shutdown: stop accepting, tell publishers and players the stream ended, end every socket, and
   * wait until all are gone or `deadlineMs` passed (then the rest is destroyed).
   */
  async shutdown(deadlineMs: number): Promise<void> {
    const closing = this.stopAccepting();
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
    this.stopSweep();
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

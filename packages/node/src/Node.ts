/**
 * Wiring of one node: hub + RTMP server + HTTP health endpoints for the all-in-one role (the registry and
 * event adapters join when their packages land). Tests run it in-process; the executable wraps it.
 */
import type { AddressInfo } from 'node:net';
import { StreamHub, type StreamHubOptions } from '@rtmp-cluster/media';
import { RtmpServer, type RtmpServerStats, type StreamAccessPolicy } from '@rtmp-cluster/server';
import type { DestinationStream, Logger } from 'pino';
import type { NodeConfig } from './config.js';
import { HealthServer } from './HealthServer.js';
import { createLogger } from './logger.js';
import type { MetricSample } from './MetricsText.js';

export type NodeState = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

export interface NodeAddresses {
  rtmp: AddressInfo;
  http: AddressInfo;
}

export interface CreateNodeOptions {
  /** a logger to use instead of building one from config.logLevel */
  logger?: Logger;
  /** where log lines go when no logger is given (tests capture them) */
  logDestination?: DestinationStream;
  /** publish/play authorization and routing; default allow-all local */
  policy?: StreamAccessPolicy;
  /** hub tuning (GOP cache, subscriber latency budget, ...) over the defaults */
  hubOptions?: StreamHubOptions;
}

export interface NodeHandle {
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly hub: StreamHub;
  readonly rtmp: RtmpServer;
  readonly state: NodeState;
  start(): Promise<NodeAddresses>;
  /** graceful: not ready, stop accepting, drain RTMP within config.drainTimeoutMs, close everything */
  stop(): Promise<void>;
  addresses(): NodeAddresses;
  /** rtmp://127.0.0.1:<port> (the listener as a local client dials it) */
  rtmpUrl(path?: string): string;
  httpUrl(path?: string): string;
  metrics(): MetricSample[];
}

export class UnsupportedRoleError extends Error {
  override readonly name = 'UnsupportedRoleError';
  constructor(readonly role: string) {
    super(`role '${role}' is not implemented yet (only all-in-one runs in this version)`);
  }
}

export function createNode(config: NodeConfig, options: CreateNodeOptions = {}): NodeHandle {
  if (config.role !== 'all-in-one') throw new UnsupportedRoleError(config.role);
  return new AllInOneNode(config, options);
}

function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

class AllInOneNode implements NodeHandle {
  readonly logger: Logger;
  readonly hub: StreamHub;
  readonly rtmp: RtmpServer;
  private readonly health: HealthServer;
  private _state: NodeState = 'created';
  private addrs: NodeAddresses | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly config: NodeConfig,
    options: CreateNodeOptions,
  ) {
    this.logger =
      options.logger ??
      createLogger({ level: config.logLevel, nodeId: config.nodeId, role: config.role, destination: options.logDestination });
    this.hub = new StreamHub({ ...options.hubOptions, duplicatePublishPolicy: config.duplicatePublish });
    this.rtmp = new RtmpServer({
      hub: this.hub,
      logger: this.logger,
      policy: options.policy,
      chunkSize: config.chunkSize,
      playWaitMs: config.playWaitMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
      pingIntervalMs: config.pingIntervalMs,
      pingTimeoutMs: config.pingTimeoutMs,
      maxConnections: config.maxConnections,
      limits: { maxMessageSize: config.maxMessageSize },
      duplicatePublish: config.duplicatePublish,
    });
    this.health = new HealthServer({
      host: config.httpHost,
      port: config.httpPort,
      ready: () => this.readiness(),
      metrics: () => this.metrics(),
    });
    this.hub.on('subscriberLagging', (e) =>
      this.logger.warn({ stream: e.key, subscriberId: e.subscriberId, backlogBytes: e.backlogBytes, budgetBytes: e.budgetBytes }, 'player lagging: dropping to the next keyframe'),
    );
    this.hub.on('subscriberError', (e) => this.logger.error({ stream: e.key, subscriberId: e.subscriberId, err: e.error }, 'subscriber write failed'));
  }

  get state(): NodeState {
    return this._state;
  }

  private readiness(): { ready: boolean; reason: string } {
    switch (this._state) {
      case 'running':
        return { ready: true, reason: 'ready' };
      case 'draining':
        return { ready: false, reason: 'draining' };
      case 'stopped':
        return { ready: false, reason: 'stopped' };
      default:
        return { ready: false, reason: 'starting' };
    }
  }

  async start(): Promise<NodeAddresses> {
    if (this._state !== 'created') throw new Error(`node already ${this._state}`);
    this._state = 'starting';
    try {
      // Health first: liveness answers (and readiness says "starting") while the rest comes up.
      const http = await this.health.listen();
      const rtmp = await this.rtmp.listen(this.config.rtmpPort, this.config.rtmpHost);
      this.addrs = { rtmp, http };
      this._state = 'running';
      this.logger.info(
        { rtmp: `${rtmp.address}:${rtmp.port}`, http: `${http.address}:${http.port}`, advertise: this.config.advertiseAddress },
        'node started (all-in-one)',
      );
      return this.addrs;
    } catch (err) {
      this._state = 'stopped';
      await this.rtmp.close().catch(() => undefined);
      await this.health.close().catch(() => undefined);
      this.hub.close();
      throw err;
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this._state === 'stopped' || this._state === 'created') {
      this._state = 'stopped';
      this.hub.close();
      await this.health.close();
      return;
    }
    this._state = 'draining';
    this.logger.info({ drainTimeoutMs: this.config.drainTimeoutMs }, 'draining');
    await this.rtmp.shutdown(this.config.drainTimeoutMs);
    this.hub.close();
    await this.health.close();
    this._state = 'stopped';
    this.logger.info('node stopped');
  }

  addresses(): NodeAddresses {
    if (!this.addrs) throw new Error('node not started');
    return this.addrs;
  }

  rtmpUrl(path = ''): string {
    const a = this.addresses().rtmp;
    return `rtmp://${localHost(a.address)}:${a.port}${path.startsWith('/') || path === '' ? path : `/${path}`}`;
  }

  httpUrl(path = ''): string {
    const a = this.addresses().http;
    return `http://${localHost(a.address)}:${a.port}${path.startsWith('/') || path === '' ? path : `/${path}`}`;
  }

  metrics(): MetricSample[] {
    const s: RtmpServerStats = this.rtmp.stats();
    const streams = this.hub.allStreamStats();
    const live = streams.filter((x) => x.live).length;
    const samples: MetricSample[] = [
      { name: 'rtmpc_up', help: 'Node is running (1) or draining/starting (0).', kind: 'gauge', value: this._state === 'running' ? 1 : 0 },
      { name: 'rtmpc_rtmp_connections', help: 'Open RTMP connections.', kind: 'gauge', value: s.connections },
      { name: 'rtmpc_rtmp_publishers', help: 'Connections publishing a stream.', kind: 'gauge', value: s.publishers },
      { name: 'rtmpc_rtmp_players', help: 'Connections playing a stream.', kind: 'gauge', value: s.players },
      { name: 'rtmpc_streams_live', help: 'Streams with a publisher.', kind: 'gauge', value: live },
      { name: 'rtmpc_rtmp_bytes_received_total', help: 'Bytes received on RTMP connections.', kind: 'counter', value: s.bytesIn },
      { name: 'rtmpc_rtmp_bytes_sent_total', help: 'Bytes sent on RTMP connections.', kind: 'counter', value: s.bytesOut },
      { name: 'rtmpc_rtmp_connections_accepted_total', help: 'RTMP connections accepted.', kind: 'counter', value: s.connectionsAccepted },
    ];
    for (const [reason, count] of Object.entries(s.closedByReason)) {
      samples.push({ name: 'rtmpc_rtmp_connections_closed_total', help: 'RTMP connections closed, by reason.', kind: 'counter', value: count, labels: { reason } });
    }
    return samples;
  }
}

/**
 * Wiring of one node: hub + RTMP server + HTTP health endpoints; origin and edge nodes add the cluster
 * runtime (Redis registry, NATS events, OriginRole/EdgeRole as the server's access policy). Tests run it
 * in-process; the executable wraps it.
 */
import { CidrList, CodedError, TlsCertificateReloader } from '@rtmp-cluster/core';
import type { AddressInfo } from 'node:net';
import { StreamHub, type StreamHubOptions } from '@rtmp-cluster/media';
import { AllowAllAccessPolicy, RtmpServer, type RtmpServerStats, type StreamAccessPolicy } from '@rtmp-cluster/server';
import { WebService } from '@rtmp-cluster/web';
import { AccessPolicy } from '@rtmp-cluster/auth';
import { AuthAccessPolicy } from './AuthAccessPolicy.js';
import type { DestinationStream, Logger } from 'pino';
import { ClusterRoleRuntime } from './ClusterRoleRuntime.js';
import type { NodeConfig } from './config.js';
import { HealthServer } from './HealthServer.js';
import { localUrl } from './LocalAddress.js';
import { loadConfiguredTls } from './TlsSettings.js';
import { nodeLogger } from './logger.js';
import type { MetricSample } from './MetricsText.js';
import type { DrainReply } from '@rtmp-cluster/control';
import { defaultMemoryBudgetMb } from './ContainerMemory.js';
import { NodeOperations } from './commands/NodeOperations.js';
import { NodeLifecycle } from './NodeLifecycle.js';
import { NodeMetrics } from './observability/NodeMetrics.js';
import { LatencyProbedHub } from './observability/SendLatencyProbe.js';
import { webSamples } from './observability/webSamples.js';

export type NodeLifecycleState = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

export interface NodeAddresses {
  rtmp: AddressInfo;
  http: AddressInfo;
  /** the RTMPS listener, when tlsCertFile/tlsKeyFile are configured */
  rtmps?: AddressInfo;
  /** the public web listener (HTTP-FLV, WS-FLV, LL-HLS, /play) of a node that serves players */
  web?: AddressInfo;
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
  /** the web listener's routes, play gate and viewers; undefined on an origin that serves no players */
  readonly web: WebService | undefined;
  readonly state: NodeLifecycleState;
  start(): Promise<NodeAddresses>;
  /** graceful: not ready, stop accepting, drain RTMP within config.drainTimeoutMs, close everything */
  stop(): Promise<void>;
  addresses(): NodeAddresses;
  /** rtmp://127.0.0.1:<port> (the listener as a local client dials it) */
  rtmpUrl(path?: string): string;
  /** rtmps://127.0.0.1:<port> (throws when RTMPS is not enabled) */
  rtmpsUrl(path?: string): string;
  httpUrl(path?: string): string;
  /** http://127.0.0.1:<web port> (throws when the node has no web listener) */
  webUrl(path?: string): string;
  metrics(): MetricSample[];
  /** operators' side: Prometheus metrics, readiness checks, drain, node commands, all-in-one control server */
  readonly ops: NodeOperations;
  /**
   * Drains (the `drain` node command and SIGTERM): stop accepting, 'draining', ReconnectRequest to capable
   * clients, the rest closed at the deadline (default config.drainTimeoutMs), then leave the cluster.
   * Resolves once draining is announced; drained() resolves when it is over.
   */
  drain(timeoutMs?: number, stay?: boolean): Promise<DrainReply>;
  drained(): Promise<void>;
  /**
   * Resolves when a drain that does not stay has left the cluster: the executable then exits 0 and its
   * supervisor starts a fresh process. Never resolves for a drain with stay (see undrain).
   */
  drainedToExit(): Promise<void>;
}

export class UnsupportedRoleError extends CodedError<'UNSUPPORTED_ROLE'> {
  override readonly name = 'UnsupportedRoleError';
  readonly domain = 'node';
  constructor(readonly role: string) {
    super('UNSUPPORTED_ROLE', `role '${role}' is not implemented yet (all-in-one, origin and edge run in this version)`);
  }
}

/** Roles createNode can build. */
export const RUNNABLE_ROLES: readonly string[] = ['all-in-one', 'origin', 'edge'];

/** Edges and all-in-one nodes serve players; an origin does when RTMPC_ORIGIN_ALLOW_PLAYERS allows. */
function servesPlayers(config: NodeConfig): boolean {
  return config.role === 'edge' || config.role === 'all-in-one' || (config.role === 'origin' && config.originAllowPlayers);
}

export function createNode(config: NodeConfig, options: CreateNodeOptions = {}): NodeHandle {
  if (!RUNNABLE_ROLES.includes(config.role)) throw new UnsupportedRoleError(config.role);
  return new AllInOneNode(config, options);
}

class AllInOneNode implements NodeHandle {
  readonly logger: Logger;
  readonly hub: StreamHub;
  readonly rtmp: RtmpServer;
  readonly web: WebService | undefined;
  private readonly health: HealthServer;
  /** origin/edge: registry, event bus and the role policy */
  readonly cluster: ClusterRoleRuntime | undefined;
  /**
   * With config.auth, every role: publish/play auth in front of the role's policy (allow-all local in
   * all-in-one, OriginRole/EdgeRole in the cluster), so all roles decide, log, count and close alike.
   */
  readonly authPolicy: AuthAccessPolicy | undefined;
  private tlsReloader: TlsCertificateReloader | undefined;
  private readonly life: NodeLifecycle<NodeLifecycleState>;
  private addrs: NodeAddresses | undefined;
  readonly ops: NodeOperations;

  constructor(
    readonly config: NodeConfig,
    options: CreateNodeOptions,
  ) {
    this.logger = nodeLogger(config, options);
    this.life = new NodeLifecycle('node', this.logger);
    const nodeMetrics = new NodeMetrics();
    this.hub = new LatencyProbedHub(
      { mergeWindowMs: config.mergeWindowMs, flushOnVideoFrame: config.flushOnVideoFrame, ...options.hubOptions, duplicatePublishPolicy: config.duplicatePublish },
      nodeMetrics.sendLatency,
    );
    this.cluster = config.role === 'origin' || config.role === 'edge' ? new ClusterRoleRuntime(config, this.logger, nodeMetrics) : undefined;
    // config.auth already carries RTMPC_RELAY_TOKEN when loadConfig built it; a hand-built config may set
    // relayToken beside auth, and edges must still get past an origin's play auth then.
    this.authPolicy =
      config.auth !== undefined
        ? new AuthAccessPolicy(
            new AccessPolicy(
              { ...config.auth, ...(config.relayToken !== undefined ? { relayToken: config.relayToken } : {}) },
              { nodeId: config.nodeId },
            ),
            { logger: this.logger, next: this.cluster?.policy },
          )
        : undefined;
    const policy = options.policy ?? this.authPolicy ?? this.cluster?.policy;
    this.rtmp = new RtmpServer({
      hub: this.hub,
      logger: this.logger,
      policy,
      maxConnectionsPerIp: config.maxConnectionsPerIp,
      connectionRatePerIp: config.connRatePerIp,
      connectionBurstPerIp: config.connBurstPerIp,
      maxPublishers: config.maxPublishers,
      chunkSize: config.chunkSize,
      playWaitMs: config.playWaitMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
      pingIntervalMs: config.pingIntervalMs,
      pingTimeoutMs: config.pingTimeoutMs,
      maxConnections: config.maxConnections,
      limits: { maxMessageSize: config.maxMessageSize },
      memoryBudgetBytes: (config.memoryBudgetMb ?? defaultMemoryBudgetMb()) * 1024 * 1024,
      maxPendingDecisions: config.maxPendingDecisions,
      proxyProtocol: { mode: config.proxyProtocol, trusted: new CidrList(config.proxyTrustedCidrs) },
      duplicatePublish: config.duplicatePublish,
    });
    // Web viewers go through the same policy as RTMP players: auth, the edge's relay pull, the publisher wait.
    this.web = servesPlayers(config)
      ? new WebService({
          hub: this.hub,
          policy: policy ?? new AllowAllAccessPolicy(),
          playWaitMs: config.playWaitMs,
          logger: this.logger,
          allowedOrigins: config.webAllowedOrigins,
          trustedProxies: new CidrList(config.webTrustedProxies),
          proxyProtocol: { mode: config.webProxyProtocol, trusted: new CidrList(config.proxyTrustedCidrs) },
          maxConnectionsPerIp: config.maxConnectionsPerIp,
          connectionRatePerIp: config.connRatePerIp,
          connectionBurstPerIp: config.connBurstPerIp,
          maxConnections: config.maxConnections,
          // LL-HLS numbering follows the registry's claim of the publish, so every node of the cluster agrees.
          hls: {
            epochOf: (key) => this.streamEpoch(key),
            segmentation: { segmentMs: config.hlsSegmentMs, partMs: config.hlsPartMs },
            windowSegments: config.hlsWindowSegments,
            partHoldBackParts: config.hlsPartHoldBack,
            deltaUpdates: config.hlsDeltaUpdates,
          },
        })
      : undefined;
    this.health = new HealthServer({
      host: config.httpHost,
      port: config.httpPort,
      ready: () => this.ops.readiness.evaluate(),
      live: () =>
        this.ops.drainer.live()
          ? { live: true, reason: 'ok' }
          : { live: false, reason: 'drained but still running past the drain deadline: restart me' },
      metrics: () => this.metrics(),
      exposition: () => this.ops.metrics.render(),
    });
    this.ops = new NodeOperations({
      config,
      logger: this.logger,
      hub: this.hub,
      server: this.rtmp,
      metrics: nodeMetrics,
      webViewers: this.web?.viewers,
      lifecycle: () => this.readiness(),
      samples: () => this.metrics(),
      onDrainStart: () => {
        if (this.life.state === 'draining') return;
        this.life.state = 'draining';
        this.logger.info({ drainTimeoutMs: this.config.drainTimeoutMs }, 'draining');
        this.tlsReloader?.stop();
      },
      announceDraining: async () => {
        await this.cluster?.drain();
      },
      leaveCluster: async () => {
        await this.cluster?.stop();
      },
      onResume: async () => {
        await this.cluster?.undrain();
        this.life.state = 'running';
        this.logger.info('back in service');
      },
    });
    this.hub.on('subscriberLagging', (e) =>
      this.logger.warn({ stream: e.key, subscriberId: e.subscriberId, lagMs: Math.round(e.lagMs), budgetMs: e.budgetMs, backlogBytes: e.backlogBytes }, 'player lagging: dropping to the next keyframe'),
    );
    this.hub.on('subscriberError', (e) => this.logger.error({ stream: e.key, subscriberId: e.subscriberId, err: e.error }, 'subscriber write failed'));
  }

  get state(): NodeLifecycleState {
    return this.life.state;
  }

  private readiness(): { ready: boolean; reason: string } {
    switch (this.life.state) {
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
    this.life.beginStart();
    try {
      // Health first: liveness answers (and readiness says "starting") while the rest comes up.
      const http = await this.health.listen();
      // Cluster adapters before the listener: no publish or play is decided without the role.
      await this.cluster?.start(this.hub, this.rtmp);
      const adapters = this.cluster?.adapters;
      if (adapters) await this.ops.attachCluster(adapters);
      const rtmp = await this.rtmp.listen(this.config.rtmpPort, this.config.rtmpHost);
      this.addrs = { rtmp, http };
      const rtmps = await this.startRtmps();
      if (rtmps) this.addrs.rtmps = rtmps;
      if (this.web) this.addrs.web = await this.web.listen(this.config.webPort, this.config.webHost);
      await this.ops.startLocal();
      this.life.state = 'running';
      this.logger.info(
        { rtmp: `${rtmp.address}:${rtmp.port}`, http: `${http.address}:${http.port}`, advertise: this.config.advertiseAddress },
        `node started (${this.config.role})`,
      );
      return this.addrs;
    } catch (err) {
      this.life.state = 'stopped';
      await this.rtmp.close().catch(() => undefined);
      await this.web?.close().catch(() => undefined);
      await this.cluster?.stop().catch(() => undefined);
      await this.ops.close().catch(() => undefined);
      await this.health.close().catch(() => undefined);
      this.hub.close();
      throw err;
    }
  }

  stop(): Promise<void> {
    return this.life.stop(
      async () => {
        this.hub.close();
        await this.health.close();
      },
      async () => {
        // The drain's steps without its wait (or the end of a drain in progress): announce, ReconnectRequest,
        // everybody told and given drainTimeoutMs to close, then claims, relays and the node record go.
        await this.ops.drainer.stopNow();
        await this.web?.close();
        await this.ops.close();
        this.hub.close();
        await this.health.close();
      },
    );
  }

  drain(timeoutMs?: number, stay = false): Promise<DrainReply> {
    if (this.life.state !== 'running' && this.life.state !== 'draining') return Promise.reject(new Error(`cannot drain a node that is ${this.life.state}`));
    return this.ops.drain(timeoutMs, stay);
  }

  drained(): Promise<void> {
    return this.ops.drainer.finished();
  }

  drainedToExit(): Promise<void> {
    return this.ops.drainer.exited();
  }

  /** RTMPS listener (RTMP over TLS) with certificate reload, when a certificate and key are configured. */
  private async startRtmps(): Promise<AddressInfo | undefined> {
    const c = this.config;
    if (c.tlsCertFile === undefined || c.tlsKeyFile === undefined) return undefined;
    const files = { certFile: c.tlsCertFile, keyFile: c.tlsKeyFile };
    const secure = loadConfiguredTls(files, 'RTMPC_TLS_CERT_FILE', 'RTMPC_TLS_KEY_FILE');
    const addr = await this.rtmp.listenTls(c.rtmpsPort, c.rtmpHost, secure);
    this.tlsReloader = new TlsCertificateReloader({
      ...files,
      apply: (secure) => this.rtmp.setSecureContext(secure),
      logger: this.logger,
      pollIntervalMs: c.tlsReloadIntervalMs,
    });
    this.tlsReloader.start();
    return addr;
  }

  rtmpsUrl(path = ''): string {
    const a = this.addresses().rtmps;
    if (!a) throw new Error('RTMPS not enabled (set tlsCertFile and tlsKeyFile)');
    return localUrl('rtmps', a, path);
  }

  addresses(): NodeAddresses {
    if (!this.addrs) throw new Error('node not started');
    return this.addrs;
  }

  rtmpUrl(path = ''): string {
    return localUrl('rtmp', this.addresses().rtmp, path);
  }

  httpUrl(path = ''): string {
    return localUrl('http', this.addresses().http, path);
  }

  /** The registry's epoch and claim time of the publish of `key` (null on a single node or when unclaimed). */
  private async streamEpoch(key: string): Promise<{ epoch: number; startedAtMs: number } | null> {
    const registry = this.cluster?.adapters?.registry;
    if (registry === undefined) return null;
    const location = await registry.lookup(key);
    return location === null ? null : { epoch: location.epoch, startedAtMs: location.since };
  }

  webUrl(path = ''): string {
    const a = this.addresses().web;
    if (!a) throw new Error(`no web listener on this ${this.config.role} (RTMPC_ORIGIN_ALLOW_PLAYERS=false)`);
    return localUrl('http', a, path);
  }

  metrics(): MetricSample[] {
    const s: RtmpServerStats = this.rtmp.stats();
    const streams = this.hub.allStreamStats();
    const live = streams.filter((x) => x.live).length;
    const samples: MetricSample[] = [
      { name: 'rtmpc_up', help: 'Node is running (1) or draining/starting (0).', kind: 'gauge', value: this.life.state === 'running' ? 1 : 0 },
      { name: 'rtmpc_rtmp_connections', help: 'Open RTMP connections.', kind: 'gauge', value: s.connections },
      { name: 'rtmpc_rtmp_publishers', help: 'Connections publishing a stream.', kind: 'gauge', value: s.publishers },
      { name: 'rtmpc_rtmp_players', help: 'Connections playing a stream.', kind: 'gauge', value: s.players },
      { name: 'rtmpc_streams_live', help: 'Streams with a publisher.', kind: 'gauge', value: live },
      { name: 'rtmpc_rtmp_bytes_received_total', help: 'Bytes received on RTMP connections.', kind: 'counter', value: s.bytesIn },
      { name: 'rtmpc_rtmp_bytes_sent_total', help: 'Bytes sent on RTMP connections.', kind: 'counter', value: s.bytesOut },
      { name: 'rtmpc_rtmp_connections_accepted_total', help: 'RTMP connections accepted.', kind: 'counter', value: s.connectionsAccepted },
      { name: 'rtmpc_rtmp_connections_refused_total', help: 'RTMP connections refused at accept (limits, shutdown).', kind: 'counter', value: s.connectionsRefused },
      { name: 'rtmpc_rtmp_publishes_refused_limit_total', help: 'Publishes refused because the server had maxPublishers streams.', kind: 'counter', value: s.publishesRefused },
      { name: 'rtmpc_rtmps_connections', help: 'Open RTMP connections over TLS.', kind: 'gauge', value: s.secureConnections },
      { name: 'rtmpc_rtmps_handshake_failures_total', help: 'TLS handshakes that failed or timed out.', kind: 'counter', value: s.tlsHandshakeFailures },
      { name: 'rtmpc_memory_budget_bytes', help: 'What RTMP connections may hold together (RTMPC_MEMORY_BUDGET_MB).', kind: 'gauge', value: s.memoryBudgetBytes },
      {
        name: 'rtmpc_memory_held_bytes',
        help: 'What RTMP connections hold: messages being reassembled plus output queues (sampled each sweep).',
        kind: 'gauge',
        value: s.memoryHeldBytes,
      },
      { name: 'rtmpc_access_decisions_pending', help: 'Publish/play access decisions the node waits for.', kind: 'gauge', value: s.pendingDecisions },
      {
        name: 'rtmpc_access_decisions_shed_total',
        help: 'Publishes and plays refused without asking the policy: too many decisions pending on the connection or the node.',
        kind: 'counter',
        value: s.decisionsShed,
      },
      {
        name: 'rtmpc_memory_budget_closes_total',
        help: 'Connections closed as the largest holders while the node was over its memory budget.',
        kind: 'counter',
        value: s.memoryBudgetCloses,
      },
    ];
    if (this.tlsReloader) {
      samples.push(
        { name: 'rtmpc_tls_reloads_total', help: 'Certificate reloads applied.', kind: 'counter', value: this.tlsReloader.reloads },
        { name: 'rtmpc_tls_reload_failures_total', help: 'Certificate reloads that failed (the previous certificate stayed).', kind: 'counter', value: this.tlsReloader.failures },
      );
    }
    for (const [label, count] of Object.entries(this.authPolicy?.decisionCounts() ?? {})) {
      const [action = '', result = '', reason = ''] = label.split(' ');
      samples.push({ name: 'rtmpc_auth_decisions_total', help: 'Publish/play auth decisions.', kind: 'counter', value: count, labels: { action, result, reason } });
    }
    if (this.web) samples.push(...webSamples(this.web));
    for (const [reason, count] of Object.entries(s.closedByReason)) {
      samples.push({ name: 'rtmpc_rtmp_connections_closed_total', help: 'RTMP connections closed, by reason.', kind: 'counter', value: count, labels: { reason } });
    }
    return samples;
  }
}

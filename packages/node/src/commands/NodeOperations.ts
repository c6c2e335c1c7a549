/**
 * What an RTMP node (all-in-one, origin, edge) adds for operators, in one place so the node wiring stays
 * small: Prometheus metrics, readiness with dependency checks, the drain (command and SIGTERM alike), the
 * node command handler served on the event bus, and in all-in-one the embedded control server (when
 * RTMPC_CONTROL_TOKEN is set) over an in-memory registry and bus. The control server and the in-memory
 * cluster are imported only then: gRPC, its proto loader and the cluster packages cost an idle all-in-one
 * node about 20 MB.
 */
import type { WebViewers } from '@rtmp-cluster/web';
import type { ControlServer, DrainReply } from '@rtmp-cluster/control';
import type { EdgeRole, OriginRole } from '@rtmp-cluster/cluster';
import type { EventBus } from '@rtmp-cluster/events';
import type { StreamHub } from '@rtmp-cluster/media';
import type { ClusterRegistry } from '@rtmp-cluster/registry';
import type { RtmpServer } from '@rtmp-cluster/server';
import type { Logger } from '@rtmp-cluster/core';
import type { NodeConfig } from '../config.js';
import { controlApiListener } from '../ControlApiSettings.js';
import { DrainController } from '../drain/DrainController.js';
import type { MetricSample } from '../MetricsText.js';
import { NodeMetrics } from '../observability/NodeMetrics.js';
import { eventBusDependency, PollingDependency, Readiness, type ReadinessResult } from '../observability/Readiness.js';
import type { LocalCluster } from '../roles/controlLocalCluster.js';
import { NodeCommandHandler } from './NodeCommandHandler.js';
import { edgeRelaySessions, NO_RELAYS, originRelaySessions, type RelaySessions } from './RelaySessions.js';

export interface NodeOperationsOptions {
  config: NodeConfig;
  logger: Logger;
  hub: StreamHub;
  server: RtmpServer;
  metrics: NodeMetrics;
  /** readiness from the node's lifecycle state alone */
  lifecycle: () => ReadinessResult;
  /** the node's legacy samples (rtmpc_up, rtmpc_rtmp_*, ...) */
  samples: () => MetricSample[];
  /** the node switches to 'draining' (called synchronously when a drain or stop begins) */
  onDrainStart: () => void;
  /** cluster roles: role.drain() (heartbeat 'draining' + node.draining); all-in-one: nothing */
  announceDraining: () => Promise<void>;
  /** cluster roles: role.stop() (claims, node record, node.down); all-in-one: nothing */
  leaveCluster: () => Promise<void>;
  /** the web listener's viewers (ListSessions, KickSession, stats), on nodes that serve players */
  webViewers?: WebViewers;
  /** a drain that stayed is undone: the node is 'running' again, cluster roles role.undrain() */
  onResume: () => Promise<void>;
}

/** What the cluster runtime hands over once its adapters are connected. */
export interface ClusterAttachment {
  registry: ClusterRegistry;
  bus: EventBus;
  role: OriginRole | EdgeRole;
}

export class NodeOperations {
  readonly readiness: Readiness;
  readonly drainer: DrainController;
  readonly commands: NodeCommandHandler;
  readonly metrics: NodeMetrics;
  /** all-in-one with a control token: the in-memory cluster and the control server */
  local: LocalCluster | undefined;
  control: ControlServer | undefined;
  private relays: RelaySessions = NO_RELAYS;
  private readonly cleanups: Array<() => void> = [];
  private readonly o: NodeOperationsOptions;

  constructor(options: NodeOperationsOptions) {
    this.o = options;
    const { config, logger, server, hub } = options;
    this.metrics = options.metrics;
    this.readiness = new Readiness(options.lifecycle);
    this.metrics.bind({ server, hub, samples: options.samples });
    this.metrics.bindStatus(() => this.readiness.evaluate().ready, () => this.drainer.active);
    this.drainer = new DrainController({
      server: {
        stopAccepting: () => server.stopAccepting(),
        pauseAccepting: () => server.pauseAccepting(),
        resumeAccepting: () => server.resumeAccepting(),
        closeConnections: (graceMs) => server.closeConnections(graceMs),
        listConnections: () => server.listConnections(),
        requestReconnect: (connId, description) => server.connection(connId)?.requestReconnect(undefined, description) ?? false,
        shutdown: (graceMs) => server.shutdown(graceMs),
        on: (e, l) => server.on(e, l),
        off: (e, l) => server.off(e, l),
      },
      hooks: {
        onStart: options.onDrainStart,
        announce: async () => {
          await options.announceDraining();
          await this.local?.drain();
        },
        leave: async () => {
          await options.leaveCluster();
          await this.local?.leave();
        },
        resume: async () => {
          await options.onResume();
          await this.local?.undrain();
        },
      },
      defaultTimeoutMs: config.drainTimeoutMs,
      logger,
    });
    this.commands = new NodeCommandHandler({
      nodeId: config.nodeId,
      server,
      hub,
      drain: (timeoutMs, stay) => this.drain(timeoutMs, stay),
      undrain: () => this.drainer.undrain(),
      relays: () => this.relays,
      webViewers: options.webViewers,
      onServed: (command, result) => this.metrics.commandServed(command, result),
      logger,
    });
  }

  /** Starts a drain (the `drain` command and SIGTERM); resolves with the command's reply. */
  drain(timeoutMs?: number, stay = false): Promise<DrainReply> {
    return this.drainer.drain(timeoutMs, stay);
  }

  /** Origin/edge: dependency checks, relay view, node commands on NATS. */
  async attachCluster(a: ClusterAttachment): Promise<void> {
    this.relays = 'relayStats' in a.role ? edgeRelaySessions(a.role) : originRelaySessions(a.role);
    this.metrics.setRelaySessions(this.relays);
    const redis = new PollingDependency(() => a.registry.ping(), { onFailure: () => this.metrics.registryError('ping') });
    await redis.start();
    this.cleanups.push(() => redis.stop(), this.readiness.register('redis', redis.check));
    const nats = eventBusDependency(a.bus, this.metrics);
    this.cleanups.push(nats.stop, this.readiness.register('nats', nats.check));
    this.cleanups.push(a.bus.serveCommands(this.o.config.nodeId, this.commands.handle));
  }

  /**
   * All-in-one: commands on an in-memory bus, and with RTMPC_CONTROL_TOKEN the control server on
   * RTMPC_GRPC_HOST/PORT over the node's in-memory registry.
   */
  async startLocal(): Promise<void> {
    const c = this.o.config;
    // Origins and edges carry the control token too (the chart gives every pod the same Secret), but only
    // all-in-one hosts the control server: cluster nodes would all race for the same gRPC port.
    if (c.role !== 'all-in-one' || c.controlToken === undefined) return;
    const [{ LocalCluster }, { startControlServer }] = await Promise.all([import('../roles/controlLocalCluster.js'), import('@rtmp-cluster/control')]);
    this.local = new LocalCluster({ nodeId: c.nodeId, address: c.advertiseAddress, hub: this.o.hub, server: this.o.server, logger: this.o.logger });
    this.cleanups.push(this.local.bus.serveCommands(c.nodeId, this.commands.handle));
    await this.local.start();
    this.control = await startControlServer({
      registry: this.local.registry,
      events: this.local.controlBus,
      ...controlApiListener(c, c.controlToken),
      logger: this.o.logger.child({ component: 'control' }),
    });
    this.o.logger.info({ grpc: `${c.grpcHost}:${this.control.port}` }, 'control server started (all-in-one)');
  }

  /** The control server's port (all-in-one with a control token). */
  get controlPort(): number | undefined {
    return this.control?.port;
  }

  /** After the node stopped: command serving, checks, control server, in-memory adapters. */
  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0)) {
      try {
        c();
      } catch {
        // the bus may already be closed (the drain left the cluster)
      }
    }
    await this.control?.stop().catch(() => undefined);
    this.control = undefined;
    await this.local?.close().catch(() => undefined);
    this.metrics.close();
  }
}

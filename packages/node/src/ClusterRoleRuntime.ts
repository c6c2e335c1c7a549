/**
 * The cluster half of an origin or edge node: Redis registry, NATS event bus and the role policy
 * (OriginRole / EdgeRole) the RTMP server asks about every publish and play. The node owns the hub and the
 * server; this runtime connects the cluster adapters at start, hands the role to the server through a
 * forwarding policy (the server is built before the adapters are connected), and takes everything down in
 * the right order on shutdown. Publish/play auth is not decided here: the node puts the same
 * AuthAccessPolicy (built from config.auth) in front of this policy as in front of an all-in-one node.
 *
 * The cluster, registry and events packages are imported when a cluster role starts, not when this module
 * loads: they bring the Redis and NATS clients (about 15 MB of an idle process), which an all-in-one node never
 * uses.
 */
import type { EdgeRole, OriginRole, ClusterMetrics } from '@rtmp-cluster/cluster';
import type { NatsEventBus } from '@rtmp-cluster/events';
import type { StreamHub } from '@rtmp-cluster/media';
import type { RedisRegistry } from '@rtmp-cluster/registry';
import type {
  AccessDecision,
  PlayRequest,
  PublishRequest,
  RtmpServer,
  StreamAccessPolicy,
} from '@rtmp-cluster/server';
import type { Logger } from '@rtmp-cluster/core';
import { natsConnectionOptions, redisConnectionOptions } from './BackendConnectionOptions.js';
import type { NodeConfig } from './config.js';
import { probeRedisConnection } from './RedisConnectProbe.js';

export interface ClusterBackends {
  registry: RedisRegistry;
  bus: NatsEventBus;
}

/**
 * Connects the cluster's Redis registry and NATS bus the way every cluster process does (origin, edge,
 * control): credentials and TLS from the config, the config's lease/TTL defaults. Each must answer within a
 * few seconds. ioredis reports a refused AUTH or TLS handshake only as "not ready", so after a failed connect
 * Redis is asked once more directly and its own answer (WRONGPASS, NOAUTH, certificate error) is reported.
 */
export async function connectClusterBackends(config: NodeConfig, logger: Logger): Promise<ClusterBackends> {
  const { isRegistryUnavailable, RedisRegistry, RegistryUnavailableError } = await import('@rtmp-cluster/registry');
  const { NatsEventBus } = await import('@rtmp-cluster/events');
  let registry: RedisRegistry;
  try {
    registry = await RedisRegistry.connect({
      ...redisConnectionOptions(config),
      leaseMs: config.leaseMs,
      nodeTtlMs: config.nodeTtlMs,
      logger: logger.child({ component: 'registry' }),
    });
  } catch (err) {
    const reason = await probeRedisConnection(config).catch(() => undefined);
    if (reason === undefined || !isRegistryUnavailable(err)) throw err;
    // Keep the typed error (and its REGISTRY_UNAVAILABLE code in the logs), with Redis's own words added.
    throw new RegistryUnavailableError(`${err.message}: Redis says: ${reason}`, { cause: err });
  }
  try {
    const bus = await NatsEventBus.connect({ ...natsConnectionOptions(config), nodeId: config.nodeId, logger: logger.child({ component: 'events' }) });
    return { registry, bus };
  } catch (err) {
    await registry.close().catch(() => undefined);
    throw err;
  }
}

/** Forwards to the role once it exists; refuses everything before (the listener is not open then anyway). */
class ForwardingPolicy implements StreamAccessPolicy {
  target: StreamAccessPolicy | undefined;
  async onPublishRequest(req: PublishRequest): Promise<AccessDecision> {
    return this.target ? this.target.onPublishRequest(req) : { allow: false, statusCode: 'NetStream.Publish.Failed', description: 'node starting' };
  }
  async onPlayRequest(req: PlayRequest): Promise<AccessDecision> {
    return this.target ? this.target.onPlayRequest(req) : { allow: false, statusCode: 'NetStream.Play.Failed', description: 'node starting' };
  }
  onPublishEnded(req: PublishRequest): void {
    this.target?.onPublishEnded?.(req);
  }
  onPlayEnded(req: PlayRequest): void {
    this.target?.onPlayEnded?.(req);
  }
}

export class ClusterRoleRuntime {
  readonly policy = new ForwardingPolicy();
  private registry: RedisRegistry | undefined;
  private bus: NatsEventBus | undefined;
  private _role: OriginRole | EdgeRole | undefined;

  constructor(
    private readonly config: NodeConfig,
    private readonly logger: Logger,
    /** relay pull counters, registry and NATS errors (the node's NodeMetrics) */
    private readonly metrics?: ClusterMetrics,
  ) {
    if (config.role !== 'origin' && config.role !== 'edge') throw new Error(`no cluster runtime for role ${config.role}`);
  }

  get role(): OriginRole | EdgeRole | undefined {
    return this._role;
  }

  /** The connected adapters and the role, once start() ran (node commands, readiness checks, metrics). */
  get adapters(): { registry: RedisRegistry; bus: NatsEventBus; role: OriginRole | EdgeRole } | undefined {
    return this.registry && this.bus && this._role ? { registry: this.registry, bus: this.bus, role: this._role } : undefined;
  }

  /** Connects Redis and NATS (each must answer within a few seconds) and starts the role. */
  async start(hub: StreamHub, server: RtmpServer): Promise<void> {
    const c = this.config;
    const log = this.logger;
    const { EdgeRole, OriginRole } = await import('@rtmp-cluster/cluster');
    ({ registry: this.registry, bus: this.bus } = await connectClusterBackends(c, log));
    const common = {
      nodeId: c.nodeId,
      address: c.advertiseAddress,
      hub,
      registry: this.registry,
      bus: this.bus,
      relayToken: c.relayToken,
      heartbeatMs: c.heartbeatMs,
      nodeTtlMs: c.nodeTtlMs,
      logger: log,
      metrics: this.metrics,
    };
    const role =
      c.role === 'origin'
        ? new OriginRole({
            ...common,
            takeover: c.claimPolicy,
            leaseMs: c.leaseMs,
            renewEveryMs: Math.max(100, Math.floor(c.leaseMs / 3)),
            claimWaitMs: c.claimWaitMs,
            takeoverDeadOwner: c.takeoverDeadOwner,
            allowPlayers: c.originAllowPlayers,
          })
        : new EdgeRole({
            ...common,
            playWaitMs: c.playWaitMs,
            idleGraceMs: c.relayIdleMs,
            relay: { stallTimeoutMs: c.relayStallMs },
          });
    role.attachServer(server);
    this._role = role;
    this.policy.target = role;
    await role.start();
  }

  /** Before the RTMP drain: refuse new publishes/plays, node record 'draining'. */
  async drain(): Promise<void> {
    await this._role?.drain().catch((err: unknown) => this.logger.warn({ err }, 'role drain failed'));
  }

  /** A drain that stayed is over: publishes/plays accepted again, node record 'up'. */
  async undrain(): Promise<void> {
    await this._role?.undrain();
  }

  /** After the RTMP drain: release claims, stop relays, remove the node record, close the adapters. */
  async stop(): Promise<void> {
    await this._role?.stop().catch((err: unknown) => this.logger.warn({ err }, 'role stop failed'));
    await this.bus?.close().catch(() => undefined);
    await this.registry?.close().catch(() => undefined);
  }
}

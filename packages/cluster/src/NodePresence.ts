/**
 * A node's presence in the cluster: its registry record (role, address, load, state) renewed by NodeHeartbeat,
 * and node.up / node.draining / node.down events. A registry outage at start is not fatal: the first
 * heartbeat is retried in the background until Redis answers, so a node can start before Redis.
 */
import type { EventBus } from '@rtmp-cluster/events';
import { NodeHeartbeat, type NodeInfo, type NodeLoad, type NodeRegistry, type NodeRole, type NodeState } from '@rtmp-cluster/registry';
import type { Logger } from '@rtmp-cluster/core';
import { publishClusterEvent, type ClusterMetrics } from './ClusterMetrics.js';
import { LoadMeter, type LoadCounters } from './LoadMeter.js';

export interface NodePresenceOptions {
  registry: NodeRegistry;
  bus?: EventBus;
  nodeId: string;
  role: NodeRole;
  address: string;
  version?: string;
  load: () => NodeLoad;
  /** heartbeat period, default 2000 ms */
  periodMs?: number;
  /** node record TTL, default 6000 ms */
  ttlMs?: number;
  logger: Logger;
  /** dropped node events are counted here */
  metrics?: Pick<ClusterMetrics, 'natsError'>;
}

/** What a cluster role (origin, edge) is configured with that its node record and node events need. */
export interface RolePresenceOptions {
  nodeId: string;
  address: string;
  bus: EventBus;
  version?: string;
  heartbeatMs?: number;
  nodeTtlMs?: number;
  metrics?: Pick<ClusterMetrics, 'natsError'>;
}

export class NodePresence {
  /** The presence of an origin or edge: its options, the registry it writes to, its load as a LoadMeter reads it. */
  static ofRole(role: NodeRole, o: RolePresenceOptions, registry: NodeRegistry, counters: () => LoadCounters, logger: Logger): NodePresence {
    const meter = new LoadMeter(counters);
    return new NodePresence({
      registry,
      bus: o.bus,
      metrics: o.metrics,
      nodeId: o.nodeId,
      role,
      address: o.address,
      version: o.version,
      load: () => meter.sample(),
      periodMs: o.heartbeatMs,
      ttlMs: o.nodeTtlMs,
      logger,
    });
  }


  private readonly heartbeat: NodeHeartbeat;
  private readonly startedAt = Date.now();
  private state: NodeState = 'ready';
  private registered = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly o: NodePresenceOptions) {
    this.log = o.logger.child({ component: 'presence' });
    this.heartbeat = new NodeHeartbeat(o.registry, () => this.info(), {
      periodMs: o.periodMs ?? 2000,
      ttlMs: o.ttlMs ?? 6000,
      logger: this.log,
    });
  }

  info(): NodeInfo {
    return {
      id: this.o.nodeId,
      role: this.o.role,
      address: this.o.address,
      version: this.o.version ?? '0.1.0',
      startedAt: this.startedAt,
      load: this.o.load(),
      state: this.state,
    };
  }

  /** true once the first heartbeat reached the registry */
  get isRegistered(): boolean {
    return this.registered;
  }

  /** Registers (retrying in the background while the registry is down) and announces node.up. */
  async start(): Promise<void> {
    await this.tryRegister();
    this.announce('node.up');
  }

  async setDraining(): Promise<void> {
    this.state = 'draining';
    this.announce('node.draining');
    if (this.registered) await this.heartbeat.beatNow();
  }

  /** Back in service after a drain that stayed: record 'ready' again and node.up. */
  async setUp(): Promise<void> {
    this.state = 'ready';
    this.announce('node.up');
    if (this.registered) await this.heartbeat.beatNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.heartbeat.stop({ remove: this.registered });
    this.announce('node.down');
  }

  private announce(type: 'node.up' | 'node.draining' | 'node.down'): void {
    if (this.o.bus) publishClusterEvent(this.o.bus, { type, role: this.o.role, address: this.o.address }, this.o.metrics, this.log);
  }

  private async tryRegister(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.heartbeat.start();
      this.registered = true;
      this.log.info({ role: this.o.role, address: this.o.address }, 'node registered');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'node registration failed: retrying in 1 s');
      this.retryTimer = setTimeout(() => {
        this.tryRegister().catch((e: unknown) => this.log.error({ err: (e as Error).message }, 'node registration retry failed'));
      }, 1000);
      this.retryTimer.unref();
    }
  }
}

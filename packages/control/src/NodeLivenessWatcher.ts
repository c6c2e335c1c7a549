import type { ClusterEvent, EventBus, PublishResult, Unsubscribe } from '@rtmp-cluster/events';
import type { Logger } from '@rtmp-cluster/core';
import type { ClusterRegistry, NodeRecord } from '@rtmp-cluster/registry';

export interface NodeLivenessOptions {
  /** How often the registry's node list is read. Default 1000 ms. */
  intervalMs?: number;
  /** Wait after a node is due to be announced, so the node's own event (or another replica's) can arrive. Default 500 ms. */
  graceMs?: number;
  /** Random extra wait (0..jitterMs) so control replicas do not announce at the same instant. Default 1000 ms. */
  jitterMs?: number;
  /** A node.up seen this long before a node's record shows up still counts as its announcement. Default 30000 ms. */
  recentEventMs?: number;
  /** Returns [0, 1); injectable so tests can order replicas. Default Math.random. */
  random?: () => number;
}

export interface NodeLivenessWatcherOptions extends NodeLivenessOptions {
  registry: Pick<ClusterRegistry, 'listNodes'>;
  events: EventBus;
  /** Goes into reportedBy; this id's own record is never announced. Default events.nodeId. */
  reporterId?: string;
  logger: Logger;
}

/** What the event bus last said about one node instance, as far as this watcher knows. */
type Announced = 'up' | 'down' | 'none';

interface TrackedNode {
  id: string;
  role: string;
  address: string;
  /** Identifies the process instance: a restarted node is a new instance with its own node.up. */
  startedAt: number;
  ttlMs: number;
  /** The record's lastSeen (registry clock). */
  lastSeen: number;
  /**
   * Local time at which the current lastSeen was first observed: an upper bound on when the heartbeat
   * happened in local terms, so beatObservedAt + ttlMs is never earlier than the record's real expiry.
   */
  beatObservedAt: number;
  present: boolean;
  announced: Announced;
  check?: { kind: 'up' | 'down'; timer: NodeJS.Timeout };
}

/** After a registry outage, absent nodes get this many TTLs to re-register (reconnect backoff + one beat). */
const RECOVERY_TTLS = 2;

/**
 * Announces node.down for nodes that died without saying so (SIGKILL, OOM, partition): their registry
 * record expires but nobody publishes node.down. Every intervalMs it lists the registry's nodes and
 * compares with the previous listing. A node that vanished is announced (node.down, reportedBy = this
 * control node) once its record would have expired anyway had it stopped beating, plus graceMs and a
 * random 0..jitterMs, and only if no node.down for it was seen on the bus meanwhile and a fresh listing
 * still lacks it. Waiting for the expiry time is what keeps a clean shutdown (record removed early, node.down
 * follows) and a registry that lost its data (live nodes re-register within a heartbeat period, which is
 * shorter than the TTL) from being announced.
 *
 * A node whose record appears (or reappears after being announced down) without a node.up on the bus is
 * announced as node.up the same way.
 *
 * Registry unavailable: the round is skipped and nothing is announced. When it answers again every node is
 * given RECOVERY_TTLS fresh TTLs to re-register before it can be announced down (re-baseline).
 *
 * Several control replicas each run a watcher. Each one stays silent once it has seen another's
 * announcement, and the random delay spreads them apart, so duplicates need two replicas to fire within
 * one bus delivery latency of each other: possible but rare. A publish the bus drops is retried next round.
 */
export class NodeLivenessWatcher {
  private readonly registry: Pick<ClusterRegistry, 'listNodes'>;
  private readonly events: EventBus;
  private readonly reporterId: string;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly graceMs: number;
  private readonly jitterMs: number;
  private readonly recentEventMs: number;
  private readonly listTimeoutMs: number;
  private readonly random: () => number;

  private readonly tracked = new Map<string, TrackedNode>();
  /** Local time of the last node.up seen per node id, for records that show up after their event. */
  private readonly upSeenAt = new Map<string, number>();
  /** 'starting': no listing yet (the first one is the baseline). 'outage': the last listing failed. */
  private state: 'starting' | 'watching' | 'outage' = 'starting';
  private stopped = false;
  private roundTimer: NodeJS.Timeout | undefined;
  private unsubscribe: Unsubscribe | undefined;

  constructor(options: NodeLivenessWatcherOptions) {
    this.registry = options.registry;
    this.events = options.events;
    this.reporterId = options.reporterId ?? options.events.nodeId;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs ?? 1000;
    this.graceMs = options.graceMs ?? 500;
    this.jitterMs = options.jitterMs ?? 1000;
    this.recentEventMs = options.recentEventMs ?? 30_000;
    // A hung registry call must not stall the rounds for long; the registry's own timeouts usually fire first.
    this.listTimeoutMs = Math.max(1000, this.intervalMs);
    this.random = options.random ?? Math.random;
    for (const [name, v] of [['intervalMs', this.intervalMs], ['graceMs', this.graceMs], ['jitterMs', this.jitterMs]] as const) {
      if (!Number.isFinite(v) || v < 0 || (name === 'intervalMs' && v === 0)) throw new RangeError(`node liveness ${name} must be a positive number`);
    }
  }

  /** Subscribes to node events and takes the baseline listing (a registry outage here is not an error). */
  async start(): Promise<void> {
    this.unsubscribe = this.events.subscribe({ types: ['node.up', 'node.down'] }, (e) => this.onEvent(e));
    await this.round();
    this.scheduleRound();
  }

  stop(): void {
    this.stopped = true;
    if (this.roundTimer) clearTimeout(this.roundTimer);
    for (const t of this.tracked.values()) this.cancelCheck(t);
    this.unsubscribe?.();
  }

  private onEvent(e: ClusterEvent): void {
    const t = this.tracked.get(e.nodeId);
    if (e.type === 'node.up') {
      this.upSeenAt.set(e.nodeId, Date.now());
      if (t) t.announced = 'up';
    } else if (e.type === 'node.down') {
      // An earlier node.up no longer vouches for the node if its record shows up again.
      this.upSeenAt.delete(e.nodeId);
      if (t) t.announced = 'down';
    }
  }

  private scheduleRound(): void {
    if (this.stopped) return;
    this.roundTimer = setTimeout(() => {
      // A round that fails unexpectedly must not end the watching: log it and keep the schedule.
      this.round()
        .catch((err: unknown) => this.logger.error({ err: (err as Error)?.message ?? String(err) }, 'node liveness: round failed'))
        .finally(() => this.scheduleRound());
    }, this.intervalMs);
    this.roundTimer.unref();
  }

  private async round(): Promise<void> {
    const records = await this.listNodesOrEnterOutage();
    if (!records) return;
    if (this.stopped) return;
    const now = Date.now();
    const baseline = this.state === 'starting';
    if (this.state === 'outage') {
      // Nobody could heartbeat during the outage, and the registry may have come back empty: start every
      // node's clock afresh instead of judging it by beats it could not send.
      for (const t of this.tracked.values()) t.beatObservedAt = now + (RECOVERY_TTLS - 1) * t.ttlMs;
      this.logger.info({ nodes: records.length }, 'node liveness: registry reachable again, re-baselined');
    }
    this.state = 'watching';

    const listed = new Set<string>();
    for (const r of records) {
      if (r.id === this.reporterId) continue;
      listed.add(r.id);
      const t = this.tracked.get(r.id);
      if (t && t.startedAt === r.startedAt) {
        if (r.lastSeen !== t.lastSeen) {
          t.lastSeen = r.lastSeen;
          t.beatObservedAt = Math.max(t.beatObservedAt, now);
        }
        t.ttlMs = Math.max(0, r.expiresAt - r.lastSeen);
        t.role = r.role;
        t.address = r.address;
        t.present = true;
        continue;
      }
      // A node we did not know, or a new process under a known id. Nodes present at the baseline were
      // there before us: assume they were announced.
      if (t) this.cancelCheck(t);
      const upSeen = this.upSeenAt.get(r.id);
      this.tracked.set(r.id, {
        id: r.id,
        role: r.role,
        address: r.address,
        startedAt: r.startedAt,
        ttlMs: Math.max(0, r.expiresAt - r.lastSeen),
        lastSeen: r.lastSeen,
        beatObservedAt: now,
        present: true,
        announced: baseline || (upSeen !== undefined && upSeen >= now - this.recentEventMs) ? 'up' : 'none',
      });
    }
    for (const t of this.tracked.values()) if (!listed.has(t.id)) t.present = false;
    for (const t of [...this.tracked.values()]) this.evaluate(t, now);
    for (const [id, at] of this.upSeenAt) if (at < now - this.recentEventMs) this.upSeenAt.delete(id);
  }

  /** Schedules (or cancels) the check that may announce this node, according to what the last listing showed. */
  private evaluate(t: TrackedNode, now: number): void {
    if (t.present) {
      if (t.announced === 'up') return this.cancelCheck(t);
      if (t.check?.kind === 'down') this.cancelCheck(t);
      if (!t.check) this.scheduleCheck(t, 'up', now);
      return;
    }
    if (t.announced !== 'up') {
      // Known to be down (or never announced up): nothing to say, and nothing to remember.
      this.cancelCheck(t);
      this.tracked.delete(t.id);
      return;
    }
    if (t.check?.kind === 'up') this.cancelCheck(t);
    if (!t.check) this.scheduleCheck(t, 'down', Math.max(now, t.beatObservedAt + t.ttlMs));
  }

  private scheduleCheck(t: TrackedNode, kind: 'up' | 'down', dueAt: number): void {
    const delay = Math.max(0, dueAt - Date.now()) + this.graceMs + this.random() * this.jitterMs;
    const timer = setTimeout(() => {
      this.confirm(t, kind).catch((err: unknown) => {
        this.logger.error({ nodeId: t.id, err: (err as Error)?.message ?? String(err) }, `node liveness: node.${kind} check failed`);
      });
    }, delay);
    timer.unref();
    t.check = { kind, timer };
  }

  private cancelCheck(t: TrackedNode): void {
    if (t.check) clearTimeout(t.check.timer);
    t.check = undefined;
  }

  /** The check is due: announce if nobody else did and a fresh listing still agrees. */
  private async confirm(t: TrackedNode, kind: 'up' | 'down'): Promise<void> {
    t.check = undefined;
    const stillDue = (): boolean =>
      !this.stopped && this.state === 'watching' && this.tracked.get(t.id) === t && (kind === 'down' ? t.announced === 'up' : t.announced !== 'up');
    if (!stillDue()) return;
    const records = await this.listNodesOrEnterOutage();
    if (!records) return;
    // Another replica's announcement may have arrived while the listing was in flight.
    if (!stillDue()) return;
    const record = records.find((r) => r.id === t.id);
    // Any record under the id means it is not down (a restarted instance announces itself).
    if (kind === 'down' ? record !== undefined : record?.startedAt !== t.startedAt) return;

    const fields = { nodeId: t.id, role: t.role, address: t.address };
    let result: PublishResult;
    try {
      result = this.events.publish({ type: kind === 'down' ? 'node.down' : 'node.up', ...fields, reportedBy: this.reporterId });
    } catch (err) {
      this.logger.error({ nodeId: t.id, err: (err as Error)?.message ?? String(err) }, `node liveness: could not build node.${kind}`);
      t.announced = kind; // a malformed record would fail every time: do not retry forever
      return;
    }
    if (result.status === 'dropped') {
      // Left as it was: the next round schedules another attempt.
      this.logger.warn({ nodeId: t.id, reason: result.reason }, `node liveness: node.${kind} dropped by the event bus, will retry`);
      return;
    }
    t.announced = kind;
    if (kind === 'down') {
      this.upSeenAt.delete(t.id);
      this.logger.warn({ nodeId: t.id, role: t.role, address: t.address, ttlMs: t.ttlMs, bus: result.status }, 'node record expired without node.down: announced node.down');
    } else {
      this.logger.info({ nodeId: t.id, role: t.role, address: t.address, bus: result.status }, 'node registered without node.up: announced node.up');
    }
  }

  private enterOutage(err: unknown): void {
    if (this.stopped) return;
    for (const t of this.tracked.values()) this.cancelCheck(t);
    // Without a baseline there is nothing to re-baseline: the first listing that works is the baseline.
    if (this.state !== 'watching') return;
    this.state = 'outage';
    this.logger.warn({ err: (err as Error)?.message ?? String(err) }, 'node liveness: registry unavailable, announcements paused');
  }

  /** The registry's node records; undefined when it did not answer in time (the watcher is then in outage). */
  private async listNodesOrEnterOutage(): Promise<NodeRecord[] | undefined> {
    let timeout: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.registry.listNodes(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`node list took longer than ${this.listTimeoutMs} ms`)), this.listTimeoutMs);
        }),
      ]);
    } catch (err) {
      this.enterOutage(err);
      return undefined;
    } finally {
      clearTimeout(timeout);
    }
  }
}

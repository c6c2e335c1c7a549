/**
 * The edge's StreamAccessPolicy. A player of a stream the edge already relays attaches at once. Otherwise
 * the edge starts ONE RelayPuller for the stream (single-flight: every concurrent player of the key shares
 * it) and the play request waits until the relay is live, up to playWaitMs, then fails with StreamNotFound
 * (saying 'registry unavailable' when that was the cause). The puller follows the stream: NATS events
 * (stream.published / stream.unpublished) make it re-resolve or switch at once; without events it converges
 * by itself (upstream loss -> re-resolve with backoff, polling while nobody publishes, a periodic registry
 * check while live). A relay with no players for idleGraceMs is torn down.
 */
import type { ClusterEvent, EventBus, Unsubscribe } from '@rtmp-cluster/events';
import type { StreamHub, SubscriberChangedEvent } from '@rtmp-cluster/media';
import { CachedStreamLocator, isRegistryUnavailable, type ClusterRegistry, type CachedStreamLocatorOptions } from '@rtmp-cluster/registry';
import { RelayPuller, type RelayPullerOptions, type RelayPullerStats, type UpstreamTarget } from '@rtmp-cluster/relay';
import type { AccessDecision, PlayRequest, PublishRequest, StreamAccessPolicy } from '@rtmp-cluster/server';
import { silentLogger, type Logger } from '@rtmp-cluster/core';
import type { ClusterMetrics } from './ClusterMetrics.js';
import { MeteredRegistry } from './MeteredRegistry.js';
import { ClusterRole } from './ClusterRole.js';
import { NodePresence } from './NodePresence.js';
import type { RoleServer } from './OriginRole.js';
import { forgedRelayDecision, relayIdentity } from './RelayIdentity.js';

/** Relay tuning an edge passes to every RelayPuller it creates. */
export type EdgeRelayOptions = Pick<
  RelayPullerOptions,
  'retryBackoff' | 'pollBackoff' | 'connectTimeoutMs' | 'startTimeoutMs' | 'stallTimeoutMs' | 'holdMs' | 'verifyEveryMs' | 'limits' | 'relayTokenField'
>;

export interface EdgeRoleOptions {
  nodeId: string;
  /** this edge's RTMP address (for its node record) */
  address: string;
  hub: StreamHub;
  registry: ClusterRegistry;
  bus: EventBus;
  /** default: a CachedStreamLocator over the registry with `locatorOptions` */
  locator?: CachedStreamLocator;
  locatorOptions?: CachedStreamLocatorOptions;
  /** RTMPC_RELAY_TOKEN presented to origins; another value presented to this edge is refused */
  relayToken?: string;
  /** how long a play waits for the stream to come up before StreamNotFound (RTMPC_PLAY_WAIT_MS), default 10 000 */
  playWaitMs?: number;
  /** a relay with no players for this long is torn down, default 5000 ms */
  idleGraceMs?: number;
  /** at most this many relays at once (distinct streams); further plays fail at once. Default 10 000 */
  maxRelays?: number;
  relay?: EdgeRelayOptions;
  heartbeatMs?: number;
  nodeTtlMs?: number;
  version?: string;
  logger?: Logger;
  /** relay pulls / re-pulls, registry errors (lookups, heartbeats) and dropped NATS events are counted here */
  metrics?: ClusterMetrics;
}

interface RelayEntry {
  key: string;
  puller: RelayPuller;
  /** plays waiting in onPlayRequest for the relay to go live */
  waiters: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class EdgeRole extends ClusterRole implements StreamAccessPolicy {
  readonly locator: CachedStreamLocator;
  private readonly o: EdgeRoleOptions;
  private readonly log: Logger;
  private readonly relays = new Map<string, RelayEntry>();
  protected readonly presence: NodePresence;
  private server: RoleServer | undefined;
  private unsubscribers: Unsubscribe[] = [];
  /** a stream's subscriber set changed (added or removed): its relay may have become idle, or busy again */
  private readonly onSubscriberChanged = (e: SubscriberChangedEvent): void => this.checkIdle(e.key);
  private relaysCreated = 0;

  constructor(options: EdgeRoleOptions) {
    super();
    this.o = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'edge' });
    const registry = options.metrics ? new MeteredRegistry(options.registry, options.metrics) : options.registry;
    this.locator = options.locator ?? new CachedStreamLocator(registry, { logger: this.log, ...options.locatorOptions });
    this.presence = NodePresence.ofRole('edge', options, registry, () => {
      const s = this.server?.stats();
      return { connections: s?.connections ?? 0, streams: this.relays.size, bytesIn: s?.bytesIn ?? 0, bytesOut: s?.bytesOut ?? 0 };
    }, this.log);
  }

  attachServer(server: RoleServer): void {
    this.server = server;
  }

  async start(): Promise<void> {
    this.unsubscribers.push(
      this.o.bus.subscribe({ types: ['stream.published', 'stream.unpublished'] }, (ev) => this.onClusterEvent(ev)),
      this.o.bus.onConnectionState((state) => {
        if (state !== 'connected') return;
        // Events may have been missed during the outage: forget cached locations, re-resolve waiting relays.
        this.log.info({ relays: this.relays.size }, 'event bus reconnected: invalidating stream locations');
        this.locator.invalidateAll();
        for (const e of this.relays.values()) e.puller.wake();
      }),
    );
    this.o.hub.on('subscriberRemoved', this.onSubscriberChanged);
    this.o.hub.on('subscriberAdded', this.onSubscriberChanged);
    try {
      await this.o.bus.flush(2000);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'event bus not reachable at start: relying on registry polling');
    }
    await this.presence.start();
    this.log.info({ address: this.o.address }, 'edge role started');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const u of this.unsubscribers.splice(0)) u();
    this.o.hub.off('subscriberRemoved', this.onSubscriberChanged);
    this.o.hub.off('subscriberAdded', this.onSubscriberChanged);
    for (const e of [...this.relays.values()]) this.teardown(e, 'edge stopping');
    await this.presence.stop();
    this.log.info({}, 'edge role stopped');
  }

  /** Relays running now. */
  relayStats(): RelayPullerStats[] {
    return [...this.relays.values()].map((e) => e.puller.stats());
  }

  relay(key: string): RelayPuller | undefined {
    return this.relays.get(key)?.puller;
  }

  /** relays started since the role started (one per stream and idle cycle) */
  get relaysStarted(): number {
    return this.relaysCreated;
  }

  get isRegistered(): boolean {
    return this.presence.isRegistered;
  }

  // ---------------------------------------------------------------------------------------------
  // StreamAccessPolicy

  async onPublishRequest(_req: PublishRequest): Promise<AccessDecision> {
    return { allow: false, statusCode: 'NetStream.Publish.Denied', description: 'this node is an edge: publish to an origin' };
  }

  async onPlayRequest(req: PlayRequest): Promise<AccessDecision> {
    if (this.stopping) return { allow: false, statusCode: 'NetStream.Play.Failed', description: 'edge is draining' };
    // Player auth (signed playback URLs, verified here without asking the origin) already ran in front of
    // this role; another edge pulling through this one is just a player, but one posing as a relay is not.
    if (relayIdentity(req, this.o.relayToken) === 'forged') {
      this.log.warn({ stream: req.key, connId: req.connId, remote: req.remoteAddress }, 'play refused: wrong relay credential');
      return forgedRelayDecision();
    }
    let entry = this.relays.get(req.key);
    if (entry?.puller.live) return { allow: true };
    if (!entry) {
      if (this.relays.size >= (this.o.maxRelays ?? 10_000)) {
        return { allow: false, statusCode: 'NetStream.Play.Failed', description: 'edge relay limit reached' };
      }
      entry = this.createRelay(req.app, req.name, req.key);
    }
    const playWaitMs = this.o.playWaitMs ?? 10_000;
    entry.waiters++;
    this.checkIdle(req.key);
    let live: boolean;
    try {
      live = await entry.puller.waitLive(playWaitMs);
    } finally {
      entry.waiters--;
      this.checkIdle(req.key);
    }
    if (live) return { allow: true };
    const cause = entry.puller.lastResolveError;
    // The log names the cause; the player gets no internal address (Redis, origins) and no internal error text.
    const detail = isRegistryUnavailable(cause)
      ? `registry unavailable: cannot locate ${req.key} (${(cause as Error).message})`
      : cause instanceof Error
        ? `cannot locate ${req.key}: ${cause.message}`
        : entry.puller.lastUpstreamError && entry.puller.currentUpstream
          ? `No publisher for ${req.key} within ${playWaitMs} ms (last upstream error: ${entry.puller.lastUpstreamError.message})`
          : `No publisher for ${req.key} within ${playWaitMs} ms`;
    const description = isRegistryUnavailable(cause)
      ? `cluster registry unavailable: cannot locate ${req.key}, try again`
      : `No publisher for ${req.key} within ${playWaitMs} ms`;
    this.log.info({ stream: req.key, connId: req.connId, playWaitMs }, `play failed: ${detail}`);
    return { allow: false, statusCode: 'NetStream.Play.StreamNotFound', description };
  }

  // The hub's subscriber events drive idle teardown; nothing to do per play here.
  onPlayEnded(_req: PlayRequest): void {}

  // ---------------------------------------------------------------------------------------------

  private createRelay(app: string, name: string, key: string): RelayEntry {
    this.relaysCreated++;
    const puller = new RelayPuller({
      ...this.o.relay,
      hub: this.o.hub,
      app,
      name,
      key,
      id: `relay:${this.o.nodeId}:${key}#${this.relaysCreated}`,
      relayToken: this.o.relayToken,
      logger: this.log,
      metrics: this.o.metrics,
      locate: async (k) => {
        const loc = await this.locator.lookup(k);
        return loc ? { address: loc.ownerAddress, ownerId: loc.ownerId, epoch: loc.epoch } : null;
      },
      forget: (k) => this.locator.invalidate(k),
    });
    const entry: RelayEntry = { key, puller, waiters: 0, idleTimer: undefined };
    this.relays.set(key, entry);
    puller.on('stopped', () => {
      if (this.relays.get(key) === entry) this.relays.delete(key);
      if (entry.idleTimer) clearTimeout(entry.idleTimer);
    });
    puller.start();
    this.log.info({ stream: key }, 'relay created');
    return entry;
  }

  private demand(entry: RelayEntry): number {
    return entry.waiters + (this.o.hub.streamStats(entry.key)?.subscriberCount ?? 0);
  }

  private checkIdle(key: string): void {
    const entry = this.relays.get(key);
    if (!entry) return;
    if (this.demand(entry) > 0) {
      if (entry.idleTimer) clearTimeout(entry.idleTimer);
      entry.idleTimer = undefined;
      return;
    }
    if (entry.idleTimer) return;
    const grace = this.o.idleGraceMs ?? 5000;
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.relays.get(key) === entry && this.demand(entry) === 0) this.teardown(entry, `no players for ${grace} ms`);
    }, grace);
    entry.idleTimer.unref();
  }

  private teardown(entry: RelayEntry, why: string): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    if (this.relays.get(entry.key) === entry) this.relays.delete(entry.key);
    this.log.info({ stream: entry.key, ...entry.puller.stats() }, `relay torn down: ${why}`);
    entry.puller.stop('RELAY_STOPPED', why);
  }

  private onClusterEvent(ev: ClusterEvent): void {
    if (ev.type !== 'stream.published' && ev.type !== 'stream.unpublished') return;
    this.locator.invalidate(ev.key);
    const entry = this.relays.get(ev.key);
    if (!entry) return;
    if (ev.type === 'stream.published') {
      this.followRegistry(ev, entry).catch((err: unknown) => {
        this.log.warn({ stream: ev.key, err: (err as Error).message }, 'stream.published: registry lookup failed, the relay keeps polling');
      });
    } else {
      entry.puller.wake();
    }
  }

  /**
   * Anyone who can publish on NATS can send stream.published naming any address, and the relay would send
   * the relay credential there. So an event is only a hint to look now: the upstream offered is the one the
   * registry holds for the stream's current claim (written by the origin that claimed it), never the event's.
   */
  private async followRegistry(ev: Extract<ClusterEvent, { type: 'stream.published' }>, entry: RelayEntry): Promise<void> {
    const loc = await this.locator.lookup(ev.key);
    if (this.relays.get(ev.key) !== entry) return;
    if (!loc) {
      this.log.warn({ stream: ev.key, originId: ev.originId, originAddress: ev.originAddress, epoch: ev.epoch }, 'stream.published ignored: the registry has no claim for the stream');
      return;
    }
    const target: UpstreamTarget = { address: loc.ownerAddress, ownerId: loc.ownerId, epoch: loc.epoch };
    if (loc.ownerAddress !== ev.originAddress || loc.ownerId !== ev.originId || loc.epoch !== ev.epoch) {
      this.log.warn(
        { stream: ev.key, event: { originId: ev.originId, originAddress: ev.originAddress, epoch: ev.epoch }, registry: target },
        'stream.published disagrees with the registry: following the registry',
      );
    } else {
      this.log.info({ stream: ev.key, originId: loc.ownerId, epoch: loc.epoch }, 'stream.published: offering the new upstream');
    }
    entry.puller.offer(target);
  }
}

/**
 * The origin's StreamAccessPolicy. A publish is accepted only after (1) auth allowed it (the node's
 * AuthAccessPolicy asks auth before it asks this role, for every role alike) and (2) this node claimed
 * app/name in the registry (fenced epoch, renewed by a StreamLease); then stream.published goes out on NATS. If the lease is lost (another origin took the stream with a higher epoch, e.g. after this process
 * was paused), the stale publisher is kicked and every play of the stream on this node is closed, so no edge
 * keeps pulling from a stale owner. Relays (edges presenting RTMPC_RELAY_TOKEN in the connect object, which auth
 * lets past play auth) are served only streams this node owns; a connection presenting a wrong relay token is
 * refused and closed; direct players are served if allowed. What the hub learns
 * about a publish (codecs, size, frame rate, audio format) is copied into the claim by a PublishInfoReporter.
 * A publish of a stream held by an origin whose address refuses TCP connects (crashed) takes the stream at once
 * instead of waiting for the dead claim to lapse (OwnerAddressProbe); fencing covers an owner alive after all.
 */
import type { EventBus } from '@rtmp-cluster/events';
import type { StreamHub, StreamUnpublishedEvent } from '@rtmp-cluster/media';
import {
  isRegistryUnavailable,
  StreamLease,
  type ClusterRegistry,
  type StreamLocation,
  type TakeoverPolicy,
} from '@rtmp-cluster/registry';
import type { AccessDecision, PlayRequest, PublishRequest, StreamAccessPolicy } from '@rtmp-cluster/server';
import { silentLogger, type Logger } from '@rtmp-cluster/core';
import { publishClusterEvent, type ClusterMetrics } from './ClusterMetrics.js';
import type { LoadCounters } from './LoadMeter.js';
import { MeteredRegistry } from './MeteredRegistry.js';
import { ClusterRole } from './ClusterRole.js';
import { NodePresence } from './NodePresence.js';
import { probeOwnerAddress, type OwnerProbeResult } from './OwnerAddressProbe.js';
import { PublishInfoReporter } from './PublishInfoReporter.js';
import { forgedRelayDecision, relayIdentity } from './RelayIdentity.js';

/** What a role needs from the RTMP server it is plugged into (RtmpServer satisfies it). */
export interface RoleServer {
  kick(connId: string): boolean;
  stats(): { connections: number; bytesIn: number; bytesOut: number };
}

export interface OriginRoleOptions {
  nodeId: string;
  /** internal RTMP address edges dial, 'host:port' (RTMPC_ADVERTISE_ADDRESS) */
  address: string;
  hub: StreamHub;
  registry: ClusterRegistry;
  bus: EventBus;
  /** RTMPC_RELAY_TOKEN: connections presenting it are relays, those presenting another value are refused */
  relayToken?: string;
  /** a publish of a stream another origin holds: 'reject' (default, after waiting claimWaitMs) or 'takeover' */
  takeover?: TakeoverPolicy;
  /** lease length, default the registry's (6000 ms) */
  leaseMs?: number;
  /** renew period, default 2000 ms (keep it well under leaseMs) */
  renewEveryMs?: number;
  /**
   * On a conflict, keep trying to claim this long before refusing the publish: an encoder that moved from a
   * dead origin gets the stream as soon as the dead origin's lease expires. Default 8000 ms; 0 = refuse at once.
   */
  claimWaitMs?: number;
  /**
   * With takeover 'reject': when another origin holds the stream, connect to its advertised address first; if
   * the connect is refused (its process is gone, e.g. SIGKILLed) take the stream over at once instead of waiting
   * for the dead claim to lapse. Default true (RTMPC_TAKEOVER_DEAD_OWNER).
   */
  takeoverDeadOwner?: boolean;
  /** how long that connect may take before it counts as "no proof" (then the publish waits), default 400 ms */
  ownerProbeTimeoutMs?: number;
  /** serve players that are not relays, default true */
  allowPlayers?: boolean;
  /** heartbeat period / node TTL (defaults 2000 / 6000 ms) */
  heartbeatMs?: number;
  nodeTtlMs?: number;
  version?: string;
  logger?: Logger;
  /** registry errors and dropped NATS events are counted here (the node's metrics) */
  metrics?: ClusterMetrics;
  /** how often publish info (codecs, size, ...) is compared with the claim and written if changed, default 1000 ms */
  infoRefreshMs?: number;
}

interface Claim {
  key: string;
  connId: string;
  request: PublishRequest;
  lease: StreamLease;
  /** set when the hub detached the publisher for a reason the unpublished event must carry (operator kick) */
  endReason?: string;
}

export interface OriginPlayInfo {
  connId: string;
  key: string;
  remoteAddress: string;
  relay: boolean;
}

export class OriginRole extends ClusterRole implements StreamAccessPolicy {
  private readonly o: OriginRoleOptions;
  private readonly log: Logger;
  private readonly claims = new Map<string, Claim>();
  /** plays served now, by connection and stream (playKey) */
  private readonly plays = new Map<string, OriginPlayInfo>();
  private server: RoleServer | undefined;
  protected readonly presence: NodePresence;
  private readonly registry: ClusterRegistry;
  private readonly info: PublishInfoReporter;
  private readonly onHubUnpublished = (e: StreamUnpublishedEvent): void => this.hubUnpublished(e);
  /** releases in flight (publishers that just left): stop() waits for them before the registry closes */
  private readonly releasing = new Set<Promise<void>>();

  constructor(options: OriginRoleOptions) {
    super();
    this.o = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'origin' });
    this.registry = options.metrics ? new MeteredRegistry(options.registry, options.metrics) : options.registry;
    this.info = new PublishInfoReporter({
      stats: (key) => options.hub.streamStats(key),
      everyMs: options.infoRefreshMs,
      logger: this.log,
    });
    this.presence = NodePresence.ofRole('origin', options, this.registry, () => this.loadCounters(), this.log);
  }

  /** The server this policy serves (for kicking stale sessions and load figures). */
  attachServer(server: RoleServer): void {
    this.server = server;
  }

  async start(): Promise<void> {
    this.o.hub.on('streamUnpublished', this.onHubUnpublished);
    this.info.start();
    await this.presence.start();
    this.log.info({ address: this.o.address }, 'origin role started');
  }

  /** After the server closed its connections: releases what is left and removes the node record. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.o.hub.off('streamUnpublished', this.onHubUnpublished);
    this.info.stop();
    const claims = [...this.claims.values()];
    this.claims.clear();
    await Promise.all([...claims.map((c) => this.release(c, 'node-stopping')), ...this.releasing]);
    await this.presence.stop();
    this.log.info({}, 'origin role stopped');
  }

  /** Streams this node owns now, with their epochs. */
  ownedStreams(): StreamLocation[] {
    return [...this.claims.values()].map((c) => c.lease.location);
  }

  /** Plays served now (relay pulls and direct players). */
  activePlays(key?: string): OriginPlayInfo[] {
    return [...this.plays.values()]
      .filter((p) => key === undefined || p.key === key)
      .map((p) => ({ ...p }));
  }

  get isRegistered(): boolean {
    return this.presence.isRegistered;
  }

  // ---------------------------------------------------------------------------------------------
  // StreamAccessPolicy

  async onPublishRequest(req: PublishRequest): Promise<AccessDecision> {
    const log = this.log.child({ stream: req.key, connId: req.connId });
    if (this.stopping) return { allow: false, statusCode: 'NetStream.Publish.Failed', description: 'origin is draining' };
    if (req.app.includes('/')) {
      return { allow: false, statusCode: 'NetStream.Publish.BadName', description: `app must not contain '/': ${req.app}` };
    }
    const local = this.claims.get(req.key);
    if (local && this.o.hub.isLive(req.key) && (this.o.takeover ?? 'reject') === 'reject') {
      return { allow: false, statusCode: 'NetStream.Publish.BadName', description: `Already publishing: ${req.key}` };
    }
    let location: StreamLocation;
    try {
      const claimed = await this.claim(req, log);
      if (!claimed.ok) return { allow: false, statusCode: 'NetStream.Publish.BadName', description: claimed.description };
      location = claimed.location;
    } catch (err) {
      const unavailable = isRegistryUnavailable(err);
      log.warn({ err: (err as Error).message }, 'publish refused: registry claim failed');
      return {
        allow: false,
        statusCode: 'NetStream.Publish.Failed',
        // The log above has the registry's error; the client gets no internal detail.
        description: unavailable ? 'registry unavailable: cannot claim the stream, try again' : 'claim failed: try again',
      };
    }
    // A same-node re-claim replaced an older claim of ours (takeover by a new local publisher).
    const previous = this.claims.get(req.key);
    if (previous) previous.lease.stop();
    const claim: Claim = { key: req.key, connId: req.connId, request: req, lease: undefined! };
    claim.lease = new StreamLease(this.registry, location, {
      leaseMs: this.o.leaseMs,
      renewEveryMs: this.o.renewEveryMs,
      logger: log,
      onLost: (current) => this.leaseLost(claim, current),
      onReclaimed: (loc) => {
        log.info({ epoch: loc.epoch }, 'stream re-claimed after a registry reset');
        this.announcePublished(loc);
      },
    });
    this.claims.set(req.key, claim);
    claim.lease.start();
    this.info.track(req.key, claim.lease, location.info);
    this.announcePublished(location);
    log.info({ epoch: location.epoch }, 'stream claimed');
    return { allow: true };
  }

  onPublishEnded(req: PublishRequest): void {
    const claim = this.claims.get(req.key);
    if (!claim || claim.connId !== req.connId) return; // not ours (refused, or replaced by a newer publisher)
    this.claims.delete(req.key);
    const p = this.release(claim, claim.endReason ?? 'publisher-left').finally(() => this.releasing.delete(p));
    this.releasing.add(p);
  }

  async onPlayRequest(req: PlayRequest): Promise<AccessDecision> {
    const identity = relayIdentity(req, this.o.relayToken);
    if (identity === 'forged') {
      this.log.warn({ stream: req.key, connId: req.connId, remote: req.remoteAddress }, 'play refused: wrong relay credential');
      return forgedRelayDecision();
    }
    const relay = identity === 'relay';
    if (relay) {
      if (!this.claims.has(req.key)) {
        return { allow: false, statusCode: 'NetStream.Play.StreamNotFound', description: `${req.key} is not published on origin ${this.o.nodeId}` };
      }
    } else if (this.o.allowPlayers === false) {
      return { allow: false, statusCode: 'NetStream.Play.Failed', description: 'this origin serves edges only: play from an edge' };
    }
    this.plays.set(playKey(req), { connId: req.connId, key: req.key, remoteAddress: req.remoteAddress, relay });
    if (relay) this.log.info({ stream: req.key, connId: req.connId, remote: req.remoteAddress }, 'relay pull started');
    return { allow: true };
  }

  onPlayEnded(req: PlayRequest): void {
    const k = playKey(req);
    const p = this.plays.get(k);
    if (!p) return;
    this.plays.delete(k);
    if (p.relay) this.log.info({ stream: req.key, connId: req.connId }, 'relay pull ended');
  }

  // ---------------------------------------------------------------------------------------------

  private async claim(
    req: PublishRequest,
    log: Logger,
  ): Promise<{ ok: true; location: StreamLocation } | { ok: false; description: string }> {
    const waitMs = this.o.claimWaitMs ?? 8000;
    const deadline = Date.now() + waitMs;
    const policy = this.o.takeover ?? 'reject';
    const probeDeadOwner = policy === 'reject' && (this.o.takeoverDeadOwner ?? true);
    let waited = false;
    /** the claim last probed and when: each holder is probed at most once per OWNER_PROBE_EVERY_MS */
    let probed: { ownerId: string; epoch: number; at: number; result: OwnerProbeResult } | undefined;
    for (;;) {
      const r = await this.claimOnce(req, policy);
      if (r.status === 'claimed') {
        if (r.previous && r.previous.ownerId !== this.o.nodeId) log.info({ previousOwner: r.previous.ownerId, previousEpoch: r.previous.epoch }, 'stream taken over');
        return { ok: true, location: r.location };
      }
      const cur = r.current;
      const sameHolder = probed !== undefined && probed.ownerId === cur.ownerId && probed.epoch === cur.epoch;
      if (probeDeadOwner && !this.stopping && (!sameHolder || Date.now() - probed!.at >= OWNER_PROBE_EVERY_MS)) {
        const result = await probeOwnerAddress(cur.ownerAddress, this.o.ownerProbeTimeoutMs ?? DEFAULT_OWNER_PROBE_TIMEOUT_MS);
        probed = { ownerId: cur.ownerId, epoch: cur.epoch, at: Date.now(), result };
        if (result.verdict === 'gone') {
          const taken = await this.takeOverFromDeadOwner(req, cur, result, log);
          if (taken) return { ok: true, location: taken };
          // The claim changed while we probed: the next round (after the usual pause) looks at the new holder.
        }
      }
      if (Date.now() >= deadline || this.stopping) {
        log.warn({ owner: cur.ownerId, epoch: cur.epoch, waitedMs: waited ? waitMs : 0, ownerProbe: probed?.result.detail }, 'publish refused: stream owned by another origin');
        return { ok: false, description: `Already publishing: ${req.key} is published on ${cur.ownerId}` };
      }
      if (!waited) {
        log.info(
          { owner: cur.ownerId, ownerAddress: cur.ownerAddress, epoch: cur.epoch, claimWaitMs: waitMs, ownerProbe: probed?.result.detail },
          'stream held by another origin: waiting for its lease',
        );
      }
      waited = true;
      await new Promise((r2) => setTimeout(r2, Math.min(250, Math.max(10, deadline - Date.now()))));
    }
  }

  private claimOnce(req: PublishRequest, policy: TakeoverPolicy) {
    return this.registry.claimStream({
      app: req.app,
      name: req.name,
      nodeId: this.o.nodeId,
      address: this.o.address,
      info: { publisherAddress: req.remoteAddress },
      policy,
      ...(this.o.leaseMs !== undefined ? { leaseMs: this.o.leaseMs } : {}),
    });
  }

  /**
   * The holder's address refused our connect: its process is gone, its claim only waits to lapse. Take the stream
   * with a new epoch now. Should the holder be alive after all (it lost its listener but not its registry link),
   * fencing settles it: its next renewal reports the claim lost and it drops its publisher. The claim is
   * re-read just before the takeover so a newer, live holder that appeared while we probed is not evicted on the
   * dead one's account (that leaves a window of one registry round trip, not of the probe).
   */
  private async takeOverFromDeadOwner(
    req: PublishRequest,
    dead: StreamLocation,
    probe: OwnerProbeResult,
    log: Logger,
  ): Promise<StreamLocation | undefined> {
    const again = await this.claimOnce(req, 'reject');
    if (again.status === 'claimed') return again.location; // it lapsed (or was released) meanwhile
    if (again.current.ownerId !== dead.ownerId || again.current.epoch !== dead.epoch) return undefined;
    const r = await this.claimOnce(req, 'takeover');
    if (r.status !== 'claimed') return undefined; // 'takeover' always claims; kept for the type
    const replaced = r.previous;
    log.warn(
      {
        previousOwner: dead.ownerId,
        previousOwnerAddress: dead.ownerAddress,
        previousEpoch: dead.epoch,
        epoch: r.location.epoch,
        ownerProbe: probe.detail,
        probeMs: probe.elapsedMs,
        ...(replaced && (replaced.ownerId !== dead.ownerId || replaced.epoch !== dead.epoch) ? { replacedOwner: replaced.ownerId, replacedEpoch: replaced.epoch } : {}),
      },
      'stream taken over from a dead origin (its address refused connections)',
    );
    return r.location;
  }

  private announcePublished(location: StreamLocation): void {
    publishClusterEvent(
      this.o.bus,
      {
        type: 'stream.published',
        key: location.key,
        app: location.app,
        name: location.name,
        originId: this.o.nodeId,
        originAddress: this.o.address,
        epoch: location.epoch,
      },
      this.o.metrics,
      this.log,
    );
  }

  /**
   * The hub tells why it detached a publisher before the server reports the publish ended; an operator kick
   * (kick-publisher / kick-session node commands) must reach the cluster as reason 'kicked', not as an
   * ordinary 'publisher-left'. The server's publisher ids are '<connId>/<message stream id>'.
   */
  private hubUnpublished(e: StreamUnpublishedEvent): void {
    if (e.reason !== 'kicked') return;
    const claim = this.claims.get(e.key);
    if (claim && (e.publisherId === claim.connId || e.publisherId.startsWith(`${claim.connId}/`))) claim.endReason = 'kicked';
  }

  private async release(claim: Claim, reason: string): Promise<void> {
    this.info.untrack(claim.key, claim.lease);
    const { key, app, name, epoch } = claim.lease.location;
    try {
      const r = await claim.lease.release();
      if (r.status === 'lost') {
        this.log.info({ stream: key, epoch }, 'claim already gone at release (newer owner)');
        return;
      }
    } catch (err) {
      this.log.warn({ stream: key, epoch, err: (err as Error).message }, 'could not release the stream claim (it expires by itself)');
    }
    publishClusterEvent(this.o.bus, { type: 'stream.unpublished', key, app, name, originId: this.o.nodeId, epoch, reason }, this.o.metrics, this.log);
    this.log.info({ stream: key, epoch, reason }, 'stream released');
  }

  /** Another origin owns the stream now: drop our publisher and everybody playing it from us. */
  private leaseLost(claim: Claim, current: StreamLocation | null): void {
    if (this.claims.get(claim.key) === claim) this.claims.delete(claim.key);
    this.info.untrack(claim.key, claim.lease);
    const { key, app, name, epoch } = claim.lease.location;
    this.log.warn({ stream: key, epoch, newOwner: current?.ownerId ?? null, newEpoch: current?.epoch ?? null }, 'stream lease lost: dropping the stale publisher');
    const plays = this.activePlays(key);
    this.o.hub.kickPublisher(key);
    for (const p of plays) this.server?.kick(p.connId);
    publishClusterEvent(
      this.o.bus,
      { type: 'stream.unpublished', key, app, name, originId: this.o.nodeId, epoch, reason: 'lease-lost' },
      this.o.metrics,
      this.log,
    );
  }

  private loadCounters(): LoadCounters {
    const s = this.server?.stats();
    return {
      connections: s?.connections ?? 0,
      streams: this.claims.size,
      bytesIn: s?.bytesIn ?? 0,
      bytesOut: s?.bytesOut ?? 0,
    };
  }
}

/** a holder whose probe proved nothing is probed again after this long (bounds probes to claimWaitMs / this) */
const OWNER_PROBE_EVERY_MS = 1000;
const DEFAULT_OWNER_PROBE_TIMEOUT_MS = 400;

function playKey(req: PlayRequest): string {
  return `${req.connId}\u0000${req.key}`;
}

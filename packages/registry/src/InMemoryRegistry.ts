import { type Clock, systemClock } from '@rtmp-cluster/core';
import { RegistryError } from './errors.js';
import { normalizeNodeInfo } from './nodeInfo.js';
import { resolveRegistryTimings } from './RegistryTimings.js';
import { checkClaim, checkFenced, checkStreamKey, validateNodeId, validatePositiveMs } from './validation.js';
import {
  type ClaimRequest,
  type ClaimResult,
  type ClusterRegistry,
  type NodeInfo,
  type NodeRecord,
  type PublishInfo,
  type PublishInfoPatch,
  type RegistryTimings,
  type ReleaseResult,
  type RenewResult,
  type StreamLocation,
  type UpdateInfoResult,
} from './types.js';

export interface InMemoryRegistryOptions extends RegistryTimings {
  clock?: Clock;
}

/**
 * Single-process twin of RedisRegistry for all-in-one mode and unit tests: same semantics (leases,
 * fencing epochs that survive release, visibility rules), time taken from an injectable clock.
 */
export class InMemoryRegistry implements ClusterRegistry {
  private readonly clock: Clock;
  private readonly nodeTtlMs: number;
  private readonly leaseMs: number;
  private readonly graceMs: number;
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly streams = new Map<string, StreamLocation>();
  private readonly epochs = new Map<string, number>();
  private closed = false;

  constructor(options: InMemoryRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    ({ nodeTtlMs: this.nodeTtlMs, leaseMs: this.leaseMs, expiredClaimGraceMs: this.graceMs } = resolveRegistryTimings(options));
  }

  async heartbeat(info: NodeInfo, ttlMs = this.nodeTtlMs): Promise<NodeRecord> {
    this.checkOpen();
    validatePositiveMs('ttlMs', ttlMs);
    const normalized = normalizeNodeInfo(info);
    const now = this.clock.now();
    const record: NodeRecord = { ...normalized, lastSeen: now, expiresAt: now + ttlMs };
    this.nodes.set(record.id, record);
    return clone(record);
  }

  async removeNode(id: string): Promise<void> {
    this.checkOpen();
    validateNodeId(id);
    this.nodes.delete(id);
  }

  async getNode(id: string): Promise<NodeRecord | null> {
    this.checkOpen();
    validateNodeId(id);
    const node = this.liveNode(id, this.clock.now());
    return node ? clone(node) : null;
  }

  async listNodes(): Promise<NodeRecord[]> {
    this.checkOpen();
    const now = this.clock.now();
    const out: NodeRecord[] = [];
    for (const id of [...this.nodes.keys()]) {
      const node = this.liveNode(id, now);
      if (node) out.push(clone(node));
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async claimStream(req: ClaimRequest): Promise<ClaimResult> {
    this.checkOpen();
    const { key, leaseMs } = checkClaim(req, this.leaseMs);
    const now = this.clock.now();
    const existing = this.storedStream(key, now);
    const live = existing !== null && this.isLive(existing, now) ? existing : null;
    if (live && live.ownerId !== req.nodeId && req.policy !== 'takeover') {
      return { status: 'conflict', current: clone(live) };
    }
    const epoch = (this.epochs.get(key) ?? 0) + 1;
    this.epochs.set(key, epoch);
    const location: StreamLocation = {
      key,
      app: req.app,
      name: req.name,
      ownerId: req.nodeId,
      ownerAddress: req.address,
      epoch,
      since: now,
      leaseUntil: now + leaseMs,
      info: cleanInfo(req.info ?? {}),
    };
    this.streams.set(key, location);
    return { status: 'claimed', location: clone(location), previous: live ? clone(live) : null };
  }

  async renewStream(key: string, epoch: number, leaseMs = this.leaseMs): Promise<RenewResult> {
    this.checkOpen();
    checkFenced(key, epoch, leaseMs);
    const now = this.clock.now();
    const stored = this.fenced(key, epoch, now);
    if ('status' in stored) return stored;
    stored.leaseUntil = now + leaseMs;
    return { status: 'renewed', leaseUntil: stored.leaseUntil };
  }

  async releaseStream(key: string, epoch: number): Promise<ReleaseResult> {
    this.checkOpen();
    checkFenced(key, epoch);
    const now = this.clock.now();
    const stored = this.fenced(key, epoch, now);
    if ('status' in stored) return stored;
    this.streams.delete(key);
    return { status: 'released' };
  }

  async updateStreamInfo(key: string, epoch: number, patch: PublishInfoPatch): Promise<UpdateInfoResult> {
    this.checkOpen();
    checkFenced(key, epoch);
    const now = this.clock.now();
    const stored = this.fenced(key, epoch, now);
    if ('status' in stored) return stored;
    const info: Record<string, unknown> = { ...stored.info };
    for (const [field, value] of Object.entries(patch)) {
      if (value === null) delete info[field];
      else if (value !== undefined) info[field] = value;
    }
    stored.info = cleanInfo(info as PublishInfo);
    return { status: 'updated', location: clone(stored) };
  }

  async lookup(key: string): Promise<StreamLocation | null> {
    this.checkOpen();
    checkStreamKey(key);
    const now = this.clock.now();
    return this.visible(this.storedStream(key, now), now);
  }

  async listStreams(): Promise<StreamLocation[]> {
    this.checkOpen();
    const now = this.clock.now();
    const out: StreamLocation[] = [];
    for (const key of [...this.streams.keys()]) {
      const v = this.visible(this.storedStream(key, now), now);
      if (v) out.push(v);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async ping(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** An epoch-fenced operation: the stored claim while `epoch` holds it, else the 'lost' answer with the live claim. */
  private fenced(key: string, epoch: number, now: number): StreamLocation | { status: 'lost'; current: StreamLocation | null } {
    const stored = this.storedStream(key, now);
    return stored && stored.epoch === epoch ? stored : { status: 'lost', current: this.visible(stored, now) };
  }

  private checkOpen(): void {
    if (this.closed) throw new RegistryError('REGISTRY_CLOSED', 'registry is closed');
  }

  private liveNode(id: string, now: number): NodeRecord | null {
    const node = this.nodes.get(id);
    if (!node) return null;
    if (node.expiresAt <= now) {
      this.nodes.delete(id);
      return null;
    }
    return node;
  }

  /** The stored claim (live or expired-within-grace); garbage-collects records past their grace. */
  private storedStream(key: string, now: number): StreamLocation | null {
    const s = this.streams.get(key);
    if (!s) return null;
    if (s.leaseUntil + this.graceMs <= now) {
      this.streams.delete(key);
      return null;
    }
    return s;
  }

  private isLive(s: StreamLocation, now: number): boolean {
    return s.leaseUntil > now && this.liveNode(s.ownerId, now) !== null;
  }

  private visible(s: StreamLocation | null, now: number): StreamLocation | null {
    return s && this.isLive(s, now) ? clone(s) : null;
  }
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function cleanInfo(info: PublishInfo): PublishInfo {
  // Round-trip through JSON so the twin stores exactly what Redis would (no undefined, no functions).
  return JSON.parse(JSON.stringify(info)) as PublishInfo;
}

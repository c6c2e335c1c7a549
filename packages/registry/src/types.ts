/** What a node runs; the order is the one operators see (settings, --help). */
export const NODE_ROLES = ['all-in-one', 'origin', 'edge', 'control'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
/** What a node's record tells the cluster: it takes new work, or it is draining. */
export const NODE_STATES = ['ready', 'draining'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export interface NodeLoad {
  connections: number;
  streams: number;
  /** bits per second received (publishers + relay pulls) */
  ingressBps: number;
  /** bits per second sent (players + relay pushes) */
  egressBps: number;
}

/** What a node announces about itself on every heartbeat. */
export interface NodeInfo {
  id: string;
  role: NodeRole;
  /** Internal RTMP address other nodes pull from, 'host:port'. */
  address: string;
  version: string;
  /** Process start, ms since the epoch. */
  startedAt: number;
  load: NodeLoad;
  state: NodeState;
}

export interface NodeRecord extends NodeInfo {
  /** Time of the last heartbeat (registry clock; Redis server time for the Redis registry). */
  lastSeen: number;
  /** The record disappears at this time unless renewed. */
  expiresAt: number;
}

/** What the origin learned about a publish; every field optional, updated as the origin learns more. */
export interface PublishInfo {
  videoCodec?: string;
  audioCodec?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  audioSampleRate?: number;
  audioChannels?: number;
  /** Remote address of the encoder, 'ip:port'. */
  publisherAddress?: string;
}

/** A patch for updateStreamInfo: a field set to null is removed. */
export type PublishInfoPatch = { [K in keyof PublishInfo]?: PublishInfo[K] | null };

export interface StreamLocation {
  /** 'app/name' */
  key: string;
  app: string;
  name: string;
  ownerId: string;
  /** Internal RTMP address of the owning origin, 'host:port'. */
  ownerAddress: string;
  /** Fencing token: strictly increasing per key, never reused (survives release). */
  epoch: number;
  /** Publish start (time of the claim), ms since the epoch. */
  since: number;
  /** The claim is valid until this time unless renewed. */
  leaseUntil: number;
  info: PublishInfo;
}

export type TakeoverPolicy = 'reject' | 'takeover';

export interface ClaimRequest {
  app: string;
  name: string;
  nodeId: string;
  /** Internal RTMP address of the claiming origin. */
  address: string;
  info?: PublishInfo;
  /**
   * 'reject' (default): fail with 'conflict' while another node holds a live claim.
   * 'takeover': replace any existing claim at once (the previous owner sees 'lost' on its next renew).
   */
  policy?: TakeoverPolicy;
  /** Lease length; defaults to the registry's leaseMs. */
  leaseMs?: number;
}

export type ClaimResult =
  | {
      status: 'claimed';
      location: StreamLocation;
      /** The live claim that was replaced (takeover or same-node re-claim), if any. */
      previous: StreamLocation | null;
    }
  | { status: 'conflict'; current: StreamLocation };

/** 'lost': the caller's epoch is no longer the claim; stop serving and drop the publisher. */
export type RenewResult =
  | { status: 'renewed'; leaseUntil: number }
  | { status: 'lost'; current: StreamLocation | null };

export type ReleaseResult = { status: 'released' } | { status: 'lost'; current: StreamLocation | null };

export type UpdateInfoResult =
  | { status: 'updated'; location: StreamLocation }
  | { status: 'lost'; current: StreamLocation | null };

/** Anything that can answer "where is app/name published?" (the registry or a cache in front of it). */
export interface StreamLocator {
  lookup(key: string): Promise<StreamLocation | null>;
}

export interface NodeRegistry {
  /** Creates or refreshes the node record; it expires ttlMs later unless refreshed again. */
  heartbeat(info: NodeInfo, ttlMs?: number): Promise<NodeRecord>;
  /** Removes the node record at once (graceful shutdown). */
  removeNode(id: string): Promise<void>;
  getNode(id: string): Promise<NodeRecord | null>;
  listNodes(): Promise<NodeRecord[]>;
}

export interface StreamRegistry extends StreamLocator {
  claimStream(req: ClaimRequest): Promise<ClaimResult>;
  renewStream(key: string, epoch: number, leaseMs?: number): Promise<RenewResult>;
  releaseStream(key: string, epoch: number): Promise<ReleaseResult>;
  updateStreamInfo(key: string, epoch: number, patch: PublishInfoPatch): Promise<UpdateInfoResult>;
  /**
   * The live claim for key: lease not expired AND owner node record present. Expired or orphaned
   * claims are invisible (but a same-epoch renew can still revive an expired lease nobody took).
   */
  lookup(key: string): Promise<StreamLocation | null>;
  /** All live claims (same visibility rule as lookup), sorted by key. */
  listStreams(): Promise<StreamLocation[]>;
}

export interface ClusterRegistry extends NodeRegistry, StreamRegistry {
  /** Resolves when the backing store answers; throws RegistryUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RegistryTimings {
  /** Default node TTL (heartbeat(info) without ttlMs). Default 6000. */
  nodeTtlMs?: number;
  /** Default stream lease. Default 6000. */
  leaseMs?: number;
  /**
   * How long an expired claim record is kept (invisible) so its owner can still renew it if nobody
   * else claimed meanwhile (e.g. after a short Redis outage). Default 60000.
   */
  expiredClaimGraceMs?: number;
  /**
   * How long a stream's epoch counter outlives the stream's last claim, renewal or release. Streams come and go
   * under names clients choose: without an expiry every name ever published would keep a key forever. An
   * epoch is never reused while its stream is live or was within this period. Default 86 400 000 (a day).
   */
  epochRetentionMs?: number;
}

export const DEFAULT_NODE_TTL_MS = 6000;
export const DEFAULT_LEASE_MS = 6000;
export const DEFAULT_EXPIRED_CLAIM_GRACE_MS = 60_000;
export const DEFAULT_EPOCH_RETENTION_MS = 24 * 3600 * 1000;

import { Cluster, type ClusterNode, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { RegistryError, RegistryUnavailableError } from './errors.js';
import { type Logger, silentLogger } from '@rtmp-cluster/core';
import { normalizeNodeInfo } from './nodeInfo.js';
import { resolveRegistryTimings } from './RegistryTimings.js';
import {
  CLAIM,
  HEARTBEAT,
  LIST_NODES,
  LIST_STREAMS,
  LOOKUP,
  RELEASE,
  REMOVE_NODE,
  RENEW,
  type RedisScript,
  UPDATE_INFO,
} from './RegistryScripts.js';
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

export const DEFAULT_KEY_PREFIX = 'rtmpc:';

export interface RedisRegistryOptions extends RegistryTimings {
  /**
   * Standalone Redis: 'redis://[user:password@]host:port[/db]' or 'rediss://...' for TLS.
   * Ignored when `cluster` or `client` is given.
   */
  url?: string;
  /**
   * ioredis options, merged over `url`. Use for credentials, TLS, db and Sentinel:
   * `{ sentinels: [{ host, port }], name: 'mymaster', sentinelPassword?, password? }`.
   * The fail-fast settings below override the matching ioredis options; `keyPrefix` is not allowed
   * (use this class's `keyPrefix`, which the Lua scripts understand).
   */
  redis?: RedisOptions;
  /**
   * Redis Cluster: startup nodes plus ioredis ClusterOptions. `keyPrefix` must then contain a hash tag,
   * e.g. '{rtmpc}:', so every registry key lands in one slot (the scripts are multi-key).
   */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
  /** A client you created; used as is (configure it to fail fast yourself) and not closed by close(). */
  client?: Redis | Cluster;
  /** Prefix of every key. Default 'rtmpc:'. */
  keyPrefix?: string;
  /** TCP connect timeout. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Per-command timeout: a call never waits longer than this. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Reconnect backoff grows from 50 ms up to this. Default 2000 ms. */
  reconnectMaxDelayMs?: number;
  logger?: Logger;
}

type Client = Redis | Cluster;

// Reply errors that mean "the server cannot serve right now" rather than "the command is wrong".
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|NOAUTH|WRONGPASS)\b/;

/**
 * ClusterRegistry on Redis via ioredis. Calls fail fast with RegistryUnavailableError while Redis is
 * unreachable (no offline queue, short connect and command timeouts) and the client keeps reconnecting
 * with capped exponential backoff, so calls succeed again as soon as Redis is back.
 */
export class RedisRegistry implements ClusterRegistry {
  readonly keyPrefix: string;
  private readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly logger: Logger;
  private readonly nodeTtlMs: number;
  private readonly leaseMs: number;
  private readonly graceMs: number;
  private readonly epochRetentionMs: number;
  private readonly keys: { nodes: string; streams: string };
  private closed = false;
  private outageLogged = false;

  /** Creates the client and connects in the background; calls fail with REGISTRY_UNAVAILABLE until ready. */
  constructor(options: RedisRegistryOptions) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (this.keyPrefix.length === 0 || this.keyPrefix.length > 64) {
      throw new RegistryError('INVALID_ARGUMENT', 'keyPrefix must be 1..64 characters');
    }
    if (options.cluster && !/\{[^{}]+\}/.test(this.keyPrefix)) {
      throw new RegistryError(
        'INVALID_ARGUMENT',
        `with Redis Cluster the keyPrefix must contain a hash tag such as '{rtmpc}:', got ${JSON.stringify(this.keyPrefix)}`,
      );
    }
    if (options.redis?.keyPrefix !== undefined) {
      throw new RegistryError('INVALID_ARGUMENT', 'set keyPrefix on RedisRegistryOptions, not in the ioredis options');
    }
    this.logger = options.logger ?? silentLogger;
    ({
      nodeTtlMs: this.nodeTtlMs,
      leaseMs: this.leaseMs,
      expiredClaimGraceMs: this.graceMs,
      epochRetentionMs: this.epochRetentionMs,
    } = resolveRegistryTimings(options));
    this.keys = { nodes: `${this.keyPrefix}nodes`, streams: `${this.keyPrefix}streams` };

    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      this.client = createClient(options);
      this.ownsClient = true;
    }
    this.client.on('error', (err: Error) => {
      // ioredis emits an error per failed reconnect attempt; log the outage once, not every 50 ms.
      if (!this.outageLogged) {
        this.outageLogged = true;
        this.logger.warn({ err: err.message }, 'registry: redis connection error, reconnecting');
      }
    });
    this.client.on('ready', () => {
      if (this.outageLogged) this.logger.info({}, 'registry: redis connection restored');
      this.outageLogged = false;
    });
  }

  /** Creates a registry and waits until Redis answers (throws RegistryUnavailableError after timeoutMs). */
  static async connect(options: RedisRegistryOptions & { readyTimeoutMs?: number }): Promise<RedisRegistry> {
    const registry = new RedisRegistry(options);
    try {
      await registry.waitUntilReady(options.readyTimeoutMs ?? 5000);
    } catch (err) {
      await registry.close();
      throw err;
    }
    return registry;
  }

  /** ioredis connection status ('ready' when calls can succeed). */
  get status(): string {
    return this.client.status;
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new RegistryUnavailableError(`redis not ready within ${timeoutMs} ms (status ${this.client.status})`));
      }, timeoutMs);
      this.client.once('ready', onReady);
    });
  }

  async heartbeat(info: NodeInfo, ttlMs = this.nodeTtlMs): Promise<NodeRecord> {
    validatePositiveMs('ttlMs', ttlMs);
    const normalized = normalizeNodeInfo(info);
    const json = await this.run(
      HEARTBEAT,
      [this.nodeKey(normalized.id), this.keys.nodes],
      [normalized.id, JSON.stringify(normalized), String(ttlMs)],
    );
    return parseNodeRecord(json);
  }

  async removeNode(id: string): Promise<void> {
    validateNodeId(id);
    await this.run(REMOVE_NODE, [this.nodeKey(id), this.keys.nodes], [id]);
  }

  async getNode(id: string): Promise<NodeRecord | null> {
    validateNodeId(id);
    const json = await this.call(() => this.client.get(this.nodeKey(id)));
    return json === null ? null : parseNodeRecord(json);
  }

  async listNodes(): Promise<NodeRecord[]> {
    const reply = await this.run(LIST_NODES, [this.keys.nodes], [this.keyPrefix]);
    return asArray(reply)
      .map(parseNodeRecord)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async claimStream(req: ClaimRequest): Promise<ClaimResult> {
    const { key, leaseMs } = checkClaim(req, this.leaseMs);
    const reply = asArray(
      await this.run(
        CLAIM,
        [this.streamKey(key), this.epochKey(key), this.keys.streams],
        [
          this.keyPrefix,
          req.nodeId,
          req.address,
          req.app,
          req.name,
          key,
          JSON.stringify(req.info ?? {}),
          req.policy ?? 'reject',
          String(leaseMs),
          String(this.graceMs),
          String(this.epochRetentionMs),
        ],
      ),
    );
    if (reply[0] === 'conflict') {
      return { status: 'conflict', current: parseLocation(reply[1]) };
    }
    return {
      status: 'claimed',
      location: parseLocation(reply[1]),
      previous: parseOptionalLocation(reply[2]),
    };
  }

  async renewStream(key: string, epoch: number, leaseMs = this.leaseMs): Promise<RenewResult> {
    checkFenced(key, epoch, leaseMs);
    const reply = asArray(
      await this.run(
        RENEW,
        [this.streamKey(key), this.epochKey(key)],
        [this.keyPrefix, String(epoch), String(leaseMs), String(this.graceMs), String(this.epochRetentionMs)],
      ),
    );
    if (reply[0] === 'renewed') return { status: 'renewed', leaseUntil: Number(reply[1]) };
    return { status: 'lost', current: parseOptionalLocation(reply[1]) };
  }

  async releaseStream(key: string, epoch: number): Promise<ReleaseResult> {
    checkFenced(key, epoch);
    const reply = asArray(
      await this.run(RELEASE, [this.streamKey(key), this.keys.streams, this.epochKey(key)], [this.keyPrefix, String(epoch), key, String(this.epochRetentionMs)]),
    );
    if (reply[0] === 'released') return { status: 'released' };
    return { status: 'lost', current: parseOptionalLocation(reply[1]) };
  }

  async updateStreamInfo(key: string, epoch: number, patch: PublishInfoPatch): Promise<UpdateInfoResult> {
    checkFenced(key, epoch);
    const reply = asArray(
      await this.run(UPDATE_INFO, [this.streamKey(key)], [this.keyPrefix, String(epoch), JSON.stringify(patch)]),
    );
    if (reply[0] === 'updated') return { status: 'updated', location: parseLocation(reply[1]) };
    return { status: 'lost', current: parseOptionalLocation(reply[1]) };
  }

  async lookup(key: string): Promise<StreamLocation | null> {
    checkStreamKey(key);
    return parseOptionalLocation(await this.run(LOOKUP, [this.streamKey(key)], [this.keyPrefix]));
  }

  async listStreams(): Promise<StreamLocation[]> {
    const reply = await this.run(LIST_STREAMS, [this.keys.streams], [this.keyPrefix]);
    return asArray(reply)
      .map(parseLocation)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async ping(): Promise<void> {
    await this.call(() => this.client.ping());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.ownsClient) return;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.client.disconnect();
  }

  private nodeKey(id: string): string {
    return `${this.keyPrefix}node:${id}`;
  }
  private streamKey(key: string): string {
    return `${this.keyPrefix}stream:${key}`;
  }
  private epochKey(key: string): string {
    return `${this.keyPrefix}epoch:${key}`;
  }

  private async run(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    return this.call(async () => {
      try {
        return await this.client.evalsha(script.sha1, script.numberOfKeys, ...keys, ...args);
      } catch (err) {
        // Script cache is empty after a Redis restart or failover: send the source once.
        if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
          return await this.client.eval(script.source, script.numberOfKeys, ...keys, ...args);
        }
        throw err;
      }
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new RegistryError('REGISTRY_CLOSED', 'registry is closed');
    if (this.client.status !== 'ready') {
      throw new RegistryUnavailableError(`redis not connected (status ${this.client.status})`);
    }
    try {
      return await fn();
    } catch (err) {
      throw translateError(err);
    }
  }
}

function createClient(options: RedisRegistryOptions): Client {
  const connectTimeout = options.connectTimeoutMs ?? 1000;
  const commandTimeout = options.commandTimeoutMs ?? 1000;
  const maxDelay = options.reconnectMaxDelayMs ?? 2000;
  const backoff = (times: number): number => Math.min(50 * 2 ** Math.min(times, 10), maxDelay);
  const failFast: RedisOptions = {
    connectTimeout,
    commandTimeout,
    // Never queue commands while disconnected: callers get REGISTRY_UNAVAILABLE at once instead.
    enableOfflineQueue: false,
    // Commands in flight when the connection drops fail instead of being retried on reconnect.
    maxRetriesPerRequest: 0,
    retryStrategy: backoff,
  };
  if (options.cluster) {
    const clusterOptions: ClusterOptions = {
      ...options.cluster.options,
      enableOfflineQueue: false,
      clusterRetryStrategy: backoff,
      redisOptions: { ...options.cluster.options?.redisOptions, ...failFast },
    };
    return new Cluster(options.cluster.nodes, clusterOptions);
  }
  const merged: RedisOptions = { ...options.redis, ...failFast };
  if (options.url !== undefined) return new Redis(options.url, merged);
  return new Redis(merged);
}

function translateError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const isReply = err instanceof Error && err.name === 'ReplyError';
  if (isReply && !TRANSIENT_REPLY.test(message)) {
    return new RegistryError('REGISTRY_FAILURE', `redis error: ${message}`, { cause: err });
  }
  return new RegistryUnavailableError(`redis unavailable: ${message}`, { cause: err });
}

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new RegistryError('REGISTRY_FAILURE', 'unexpected reply from redis script');
  return reply;
}

function parseNodeRecord(json: unknown): NodeRecord {
  try {
    if (typeof json !== 'string') throw new Error('not a string');
    const r = JSON.parse(json) as NodeRecord;
    if (typeof r.id !== 'string' || typeof r.expiresAt !== 'number') throw new Error('missing fields');
    return r;
  } catch (err) {
    throw new RegistryError('REGISTRY_FAILURE', 'unreadable node record in redis', { cause: err });
  }
}

function parseOptionalLocation(flat: unknown): StreamLocation | null {
  return Array.isArray(flat) && flat.length > 0 ? parseLocation(flat) : null;
}

function parseLocation(flat: unknown): StreamLocation {
  if (!Array.isArray(flat)) throw new RegistryError('REGISTRY_FAILURE', 'unexpected stream record reply');
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[String(flat[i])] = String(flat[i + 1]);
  let info: PublishInfo;
  try {
    info = JSON.parse(h.info ?? '{}') as PublishInfo;
  } catch (err) {
    throw new RegistryError('REGISTRY_FAILURE', 'unreadable stream info in redis', { cause: err });
  }
  const location: StreamLocation = {
    key: h.key ?? '',
    app: h.app ?? '',
    name: h.name ?? '',
    ownerId: h.ownerId ?? '',
    ownerAddress: h.ownerAddress ?? '',
    epoch: Number(h.epoch),
    since: Number(h.since),
    leaseUntil: Number(h.leaseUntil),
    info,
  };
  if (!location.key || !Number.isFinite(location.epoch) || !Number.isFinite(location.leaseUntil)) {
    throw new RegistryError('REGISTRY_FAILURE', 'incomplete stream record in redis');
  }
  return location;
}

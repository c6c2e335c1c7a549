import * as grpc from '@grpc/grpc-js';
import {
  startControlServer,
  createControlClient,
  type ControlClient,
  type ControlServer,
  type DrainReply,
  type NodeLivenessOptions,
  type NodeCommand,
  type NodeSession,
  type NodeStreamStats,
} from '@rtmp-cluster/control';
import { NatsEventBus, type ClusterEventInput } from '@rtmp-cluster/events';
import { RedisRegistry, type NodeInfo, type NodeRole, type RedisRegistryOptions } from '@rtmp-cluster/registry';
import { startNats, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { startRedis, type RedisServerHandle } from '../../../../test/support/redis-server.js';

export const TOKEN = 's3cret-token';

/**
 * Real redis-server + nats-server, a control server on the Redis registry and NATS event bus, and
 * fake nodes that register in Redis and answer node commands over NATS like real nodes would.
 */
export class ControlCluster {
  private readonly nodes: FakeNode[] = [];
  private readonly clients: ControlClient[] = [];

  private constructor(
    readonly redis: RedisServerHandle,
    readonly nats: NatsServerHandle,
    readonly registry: RedisRegistry,
    readonly bus: NatsEventBus,
    readonly server: ControlServer,
  ) {}

  /**
   * The node liveness watcher is off unless nodeLiveness is given: fake nodes do not announce node.up by
   * themselves, and the RPC tests expect exactly the events they publish.
   */
  static async start(
    opts: { commandTimeoutMs?: number; healthCheckIntervalMs?: number; nodeLiveness?: NodeLivenessOptions } = {},
  ): Promise<ControlCluster> {
    const redis = await startRedis();
    const nats = await startNats();
    const registry = await connectedRegistry(redis.url, { commandTimeoutMs: 500, connectTimeoutMs: 500 });
    const bus = await NatsEventBus.connect({ servers: nats.url, nodeId: 'control-1' });
    const server = await startControlServer({
      registry,
      events: bus,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      commandTimeoutMs: opts.commandTimeoutMs ?? 1000,
      healthCheckIntervalMs: opts.healthCheckIntervalMs ?? 200,
      nodeLiveness: opts.nodeLiveness ?? false,
    });
    return new ControlCluster(redis, nats, registry, bus, server);
  }

  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** null: a client that sends no authorization metadata. */
  client(token: string | null = TOKEN): ControlClient {
    const c = createControlClient({ address: this.address, ...(token !== null ? { token } : {}) });
    this.clients.push(c);
    return c;
  }

  /** A node process stand-in: own registry client and own NATS connection. */
  async addNode(id: string, role: NodeRole, opts: Partial<NodeInfo> = {}, ttlMs = 60_000): Promise<FakeNode> {
    const node = await FakeNode.start(this, id, role, opts, ttlMs);
    this.nodes.push(node);
    return node;
  }

  /** Removes every registry entry so tests start from an empty cluster. */
  async reset(): Promise<void> {
    for (const n of this.nodes.splice(0)) await n.stop();
    for (const s of await this.registry.listStreams()) await this.registry.releaseStream(s.key, s.epoch);
    for (const n of await this.registry.listNodes()) await this.registry.removeNode(n.id);
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    for (const n of this.nodes.splice(0)) await n.stop().catch(() => undefined);
    await this.server.stop(500).catch(() => undefined);
    await this.bus.close().catch(() => undefined);
    await this.registry.close().catch(() => undefined);
    await this.nats.stop();
    await this.redis.stop();
  }
}

export class FakeNode {
  /** Every command this node received, in order. */
  readonly received: NodeCommand[] = [];
  sessions: NodeSession[] = [];
  /** Per-stream stats; viewers default to the number of player sessions of the key. */
  streamStats = new Map<string, Omit<NodeStreamStats, 'key' | 'viewers'> & { viewers?: number }>();
  drainReply: Omit<DrainReply, 'deadlineMs'> = { state: 'draining', reconnectRequested: 0, toClose: 0 };
  /** When set, every command fails with this error code. */
  failWith: string | undefined;
  /** When set, the node replies with this raw value instead of a valid reply. */
  rawReply: unknown;
  info: NodeInfo;
  /** Local time of the last heartbeat Redis accepted. */
  lastBeatAt = 0;
  private stopServing: (() => void) | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    readonly cluster: ControlCluster,
    readonly registry: RedisRegistry,
    readonly bus: NatsEventBus,
    info: NodeInfo,
    /** Node record TTL of every heartbeat. */
    readonly ttlMs: number,
  ) {
    this.info = info;
  }

  get id(): string {
    return this.info.id;
  }

  static async start(cluster: ControlCluster, id: string, role: NodeRole, opts: Partial<NodeInfo>, ttlMs = 60_000): Promise<FakeNode> {
    // Fake origins never renew their claims: a lease as long as their record, so a claim cannot lapse while a
    // slow test (each rtmpctl run is a process start) is still reading it.
    const registry = await connectedRegistry(cluster.redis.url, { leaseMs: ttlMs });
    const bus = await NatsEventBus.connect({ servers: cluster.nats.url, nodeId: id });
    const info: NodeInfo = {
      id,
      role,
      address: opts.address ?? `${id}.rtmp.test:1935`,
      version: opts.version ?? '0.1.0',
      startedAt: opts.startedAt ?? Date.now() - 60_000,
      load: opts.load ?? { connections: 0, streams: 0, ingressBps: 0, egressBps: 0 },
      state: opts.state ?? 'ready',
    };
    const node = new FakeNode(cluster, registry, bus, info, ttlMs);
    await node.heartbeat();
    return node;
  }

  /** Starts answering node commands (a registered node that never calls this looks hung). */
  async serve(): Promise<this> {
    this.stopServing = this.bus.serveCommands(this.id, (cmd) => this.handle(cmd));
    await this.bus.flush();
    return this;
  }

  async heartbeat(): Promise<void> {
    await this.registry.heartbeat(this.info, this.ttlMs);
    this.lastBeatAt = Date.now();
  }

  /** Heartbeats every periodMs like NodeHeartbeat; failures (registry down) are retried next period. */
  beatEvery(periodMs: number): this {
    clearInterval(this.beatTimer);
    this.beatTimer = setInterval(() => void this.heartbeat().catch(() => undefined), periodMs);
    return this;
  }

  /** Stops heartbeating but stays connected (a partition between the node and the registry). */
  stopBeating(): void {
    clearInterval(this.beatTimer);
  }

  /** Dies like a SIGKILLed process: no more heartbeats, no node.down, the record is left to expire. */
  async crash(): Promise<void> {
    clearInterval(this.beatTimer);
    await this.stop();
  }

  /** A clean shutdown as NodePresence does it: remove the record, then publish node.down. */
  async shutdown(): Promise<void> {
    clearInterval(this.beatTimer);
    await this.registry.removeNode(this.id);
    await this.publish({ type: 'node.down', role: this.info.role, address: this.info.address });
    await this.stop();
  }

  async publish(event: ClusterEventInput): Promise<void> {
    const r = this.bus.publish(event);
    if (r.status !== 'sent') throw new Error(`publish ${event.type}: ${JSON.stringify(r)}`);
    await this.bus.flush();
  }

  /** Claims app/name like an origin does when a publisher starts, and announces it. */
  async claim(key: string, info: Record<string, unknown> = {}, sessionId = `${this.id}-pub-${key}`): Promise<number> {
    const [app, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const r = await this.registry.claimStream({ app, name, nodeId: this.id, address: this.info.address, info });
    if (r.status !== 'claimed') throw new Error(`claim ${key} failed: ${r.status}`);
    this.sessions.push(session(sessionId, 'publisher', key, (info.publisherAddress as string) ?? '192.0.2.1:50000'));
    this.streamStats.set(key, { ingressBps: 2_500_000, publisherSessionId: sessionId });
    return r.location.epoch;
  }

  addPlayers(key: string, n: number): void {
    for (let i = 0; i < n; i++) this.sessions.push(session(`${this.id}-play-${key}-${this.sessions.length}`, 'player', key, `198.51.100.${i + 1}:4000${i}`));
    if (!this.streamStats.has(key)) this.streamStats.set(key, { ingressBps: 2_400_000 });
  }

  private handle(cmd: NodeCommand): unknown {
    this.received.push(cmd);
    if (this.failWith) throw Object.assign(new Error(`fake failure ${this.failWith}`), { code: this.failWith });
    if (this.rawReply !== undefined) return this.rawReply;
    switch (cmd.cmd) {
      case 'list-sessions':
        return { sessions: this.sessions.filter((s) => !cmd.key || `${s.app}/${s.name}` === cmd.key) };
      case 'stats':
        return {
          streams: [...this.streamStats.entries()].map(([key, st]) => ({
            key,
            viewers: st.viewers ?? this.sessions.filter((s) => s.kind === 'player' && `${s.app}/${s.name}` === key).length,
            ingressBps: st.ingressBps,
            ...(st.publisherSessionId ? { publisherSessionId: st.publisherSessionId } : {}),
          })),
        };
      case 'kick-session': {
        const s = this.sessions.find((x) => x.id === cmd.sessionId);
        if (!s) return { kicked: false };
        this.sessions = this.sessions.filter((x) => x !== s);
        return { kicked: true, kind: s.kind, key: `${s.app}/${s.name}` };
      }
      case 'kick-publisher': {
        const s = this.sessions.find((x) => x.kind === 'publisher' && `${x.app}/${x.name}` === cmd.key);
        if (!s) return { kicked: false };
        this.sessions = this.sessions.filter((x) => x !== s);
        return { kicked: true, sessionId: s.id };
      }
      case 'drain': {
        this.info = { ...this.info, state: 'draining' };
        return this.heartbeat()
          .then(() => this.publish({ type: 'node.draining', role: this.info.role, address: this.info.address }))
          .then(() => ({ ...this.drainReply, deadlineMs: cmd.timeoutMs ?? 30_000 }));
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.beatTimer);
    if (this.stopped) return;
    this.stopped = true;
    this.stopServing?.();
    await this.bus.close();
    await this.registry.close();
  }
}

/** RedisRegistry connects in the background and fails fast meanwhile: wait until it answers. */
export async function connectedRegistry(url: string, opts: Partial<RedisRegistryOptions> = {}): Promise<RedisRegistry> {
  const registry = new RedisRegistry({ url, ...opts });
  await waitFor('redis connection', async () => {
    try {
      await registry.ping();
      return true;
    } catch {
      return undefined;
    }
  });
  return registry;
}

function session(id: string, kind: NodeSession['kind'], key: string, remoteAddress: string): NodeSession {
  const slash = key.indexOf('/');
  return {
    id,
    kind,
    remoteAddress,
    app: key.slice(0, slash),
    name: key.slice(slash + 1),
    startedAt: Date.now() - 5_000,
    bytesIn: kind === 'publisher' ? 1_000_000 : 3_000,
    bytesOut: kind === 'publisher' ? 4_000 : 900_000,
    rttMs: kind === 'player' ? 12 : null,
  };
}

/** A unary call as a promise. */
export function unary<Res>(client: ControlClient, method: string, request: object): Promise<Res> {
  const c = client as unknown as Record<string, (req: object, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void>;
  return new Promise((resolve, reject) => {
    c[method]!.call(client, request, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}

/** Resolves with the gRPC status code the call failed with (rejects if it succeeded). */
export async function failureCode(p: Promise<unknown>): Promise<{ code: grpc.status; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('call succeeded but a failure was expected');
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

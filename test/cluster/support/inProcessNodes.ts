/**
 * Origins and edges as in-process RtmpServer + StreamHub + role, each with its own RedisRegistry and
 * NatsEventBus connections to the real servers the test spawned (so a node behaves as a separate process
 * towards Redis and NATS).
 */
import { EdgeRole, OriginRole, type EdgeRoleOptions, type OriginRoleOptions } from '@rtmp-cluster/cluster';
import { NatsEventBus } from '@rtmp-cluster/events';
import { StreamHub } from '@rtmp-cluster/media';
import { RedisRegistry } from '@rtmp-cluster/registry';
import { RtmpServer } from '@rtmp-cluster/server';
import pino from 'pino';
import { freePort } from '../../support/ports.js';

export const RELAY_TOKEN = 'cluster-test-relay-token';

export interface InfraUrls {
  redisUrl: string;
  natsUrl: string;
}

export interface InProcessNode<R> {
  id: string;
  port: number;
  address: string;
  hub: StreamHub;
  server: RtmpServer;
  role: R;
  registry: RedisRegistry;
  bus: NatsEventBus;
  url(path: string): string;
  stop(): Promise<void>;
}

function logger(id: string): pino.Logger {
  const level = process.env.CLUSTER_LOG ? 'debug' : 'silent';
  return pino({ level, base: { nodeId: id } }, pino.destination(2));
}

async function infra(id: string, urls: InfraUrls, timings: { leaseMs?: number; nodeTtlMs?: number }) {
  const registry = await RedisRegistry.connect({ url: urls.redisUrl, leaseMs: timings.leaseMs, nodeTtlMs: timings.nodeTtlMs });
  const bus = await NatsEventBus.connect({ servers: urls.natsUrl, nodeId: id, reconnectTimeWaitMs: 100 });
  return { registry, bus };
}

async function serve<R extends OriginRole | EdgeRole>(
  id: string,
  port: number,
  hub: StreamHub,
  role: R,
  registry: RedisRegistry,
  bus: NatsEventBus,
  log: pino.Logger,
  playWaitMs: number,
): Promise<InProcessNode<R>> {
  // Every test client comes from 127.0.0.1: lift the per-IP accept limits (bursts of 200 players).
  const server = new RtmpServer({
    hub,
    logger: log,
    policy: role,
    playWaitMs,
    connIdPrefix: `${id}-`,
    connectionRatePerIp: 100_000,
    connectionBurstPerIp: 100_000,
  });
  role.attachServer(server);
  await server.listen(port, '127.0.0.1');
  await role.start();
  return {
    id,
    port,
    address: `127.0.0.1:${port}`,
    hub,
    server,
    role,
    registry,
    bus,
    url: (path) => `rtmp://127.0.0.1:${port}/${path.replace(/^\//, '')}`,
    async stop() {
      await role.drain().catch(() => undefined);
      await server.close();
      await role.stop().catch(() => undefined);
      hub.close();
      await bus.close().catch(() => undefined);
      await registry.close().catch(() => undefined);
    },
  };
}

export async function startOrigin(
  id: string,
  urls: InfraUrls,
  opts: Partial<OriginRoleOptions> & { nodeTtlMs?: number; playWaitMs?: number } = {},
): Promise<InProcessNode<OriginRole>> {
  const port = await freePort();
  const log = logger(id);
  const { registry, bus } = await infra(id, urls, { leaseMs: opts.leaseMs, nodeTtlMs: opts.nodeTtlMs });
  const hub = new StreamHub();
  const role = new OriginRole({
    nodeId: id,
    address: `127.0.0.1:${port}`,
    hub,
    registry,
    bus,
    relayToken: RELAY_TOKEN,
    logger: log,
    heartbeatMs: 500,
    ...opts,
  });
  return serve(id, port, hub, role, registry, bus, log, opts.playWaitMs ?? 10_000);
}

export async function startEdge(
  id: string,
  urls: InfraUrls,
  opts: Partial<EdgeRoleOptions> & { nodeTtlMs?: number } = {},
): Promise<InProcessNode<EdgeRole>> {
  const port = await freePort();
  const log = logger(id);
  const { registry, bus } = await infra(id, urls, { nodeTtlMs: opts.nodeTtlMs });
  const hub = new StreamHub();
  const role = new EdgeRole({
    nodeId: id,
    address: `127.0.0.1:${port}`,
    hub,
    registry,
    bus,
    relayToken: RELAY_TOKEN,
    logger: log,
    heartbeatMs: 500,
    playWaitMs: 8000,
    ...opts,
  });
  return serve(id, port, hub, role, registry, bus, log, (opts.playWaitMs ?? 8000) + 2000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls cond until it holds; a throwing cond counts as false (e.g. the registry is still reconnecting). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(50);
  }
}

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
import type { InfraUrls } from './clusterInfra.js';

export const RELAY_TOKEN = 'cluster-test-relay-token';

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

/** What every role of an in-process node is built with: its identity, hub, connections and the relay credential. */
interface NodeParts {
  nodeId: string;
  address: string;
  hub: StreamHub;
  registry: RedisRegistry;
  bus: NatsEventBus;
  relayToken: string;
  logger: pino.Logger;
  heartbeatMs: number;
}

async function startNode<R extends OriginRole | EdgeRole>(
  id: string,
  urls: InfraUrls,
  timings: { leaseMs?: number; nodeTtlMs?: number },
  createRole: (parts: NodeParts) => R,
  playWaitMs: number,
): Promise<InProcessNode<R>> {
  const port = await freePort();
  const log = logger(id);
  const registry = await RedisRegistry.connect({ url: urls.redisUrl, leaseMs: timings.leaseMs, nodeTtlMs: timings.nodeTtlMs });
  const bus = await NatsEventBus.connect({ servers: urls.natsUrl, nodeId: id, reconnectTimeWaitMs: 100 });
  const hub = new StreamHub();
  const role = createRole({
    nodeId: id,
    address: `127.0.0.1:${port}`,
    hub,
    registry,
    bus,
    relayToken: RELAY_TOKEN,
    logger: log,
    heartbeatMs: 500,
  });
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

export function startOrigin(
  id: string,
  urls: InfraUrls,
  opts: Partial<OriginRoleOptions> & { nodeTtlMs?: number; playWaitMs?: number } = {},
): Promise<InProcessNode<OriginRole>> {
  const timings = { leaseMs: opts.leaseMs, nodeTtlMs: opts.nodeTtlMs };
  return startNode(id, urls, timings, (parts) => new OriginRole({ ...parts, ...opts }), opts.playWaitMs ?? 10_000);
}

export function startEdge(
  id: string,
  urls: InfraUrls,
  opts: Partial<EdgeRoleOptions> & { nodeTtlMs?: number } = {},
): Promise<InProcessNode<EdgeRole>> {
  const timings = { nodeTtlMs: opts.nodeTtlMs };
  return startNode(id, urls, timings, (parts) => new EdgeRole({ ...parts, playWaitMs: 8000, ...opts }), (opts.playWaitMs ?? 8000) + 2000);
}

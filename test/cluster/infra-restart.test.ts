/**
 * Cluster test 4 (in-process nodes): restarting redis-server and nats-server under a running cluster.
 * Streams keep flowing through both outages; during the Redis outage a new lookup fails fast with a
 * 'registry unavailable' StreamNotFound; after Redis comes back (empty) nodes re-register, the origin
 * re-claims its stream and new players work; during the NATS outage a new publish is still found (registry
 * polling), and after NATS is back the nodes' subscriptions deliver events again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@rtmp-cluster/events';
import type { EdgeRole, OriginRole } from '@rtmp-cluster/cluster';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startEdge, startOrigin, type InProcessNode } from './support/inProcessNodes.js';

describe('cluster: redis-server and nats-server restarts', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let origin: InProcessNode<OriginRole>;
  let edge1: InProcessNode<EdgeRole>;
  let edge2: InProcessNode<EdgeRole>;
  let edge3: InProcessNode<EdgeRole>;

  beforeAll(async () => {
    infra = await startClusterInfra();
    const { urls } = infra;
    origin = await startOrigin('origin-a', urls, { renewEveryMs: 500, leaseMs: 3000 });
    [edge1, edge2, edge3] = await Promise.all([
      startEdge('edge-1', urls),
      startEdge('edge-2', urls),
      // a short play wait: a lookup during the outage must fail fast and say why
      startEdge('edge-3', urls, { playWaitMs: 1500 }),
    ]);
    ffmpegPublish(procs, infra.flv, origin.url('live/r1'), { loop: true, timeoutMs: 85_000 });
    await waitFor(() => origin.hub.isLive('live/r1'), 10_000, 'publish on the origin');
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    for (const n of [edge1, edge2, edge3, origin]) await n?.stop();
    await infra?.stop();
  });

  it('Redis restart: streams keep flowing, lookups fail clearly meanwhile, nodes re-register afterwards', async () => {
    const p1 = TestRtmpClient.startPlayer(edge1.url('live/r1'));
    players.push(p1);
    await p1.until(() => p1.mediaCount.video >= 25, 10_000, 'frames before the outage');

    await infra.redis.stop();
    try {
      await p1.moreFrames(75, 5000);
      const started = Date.now();
      const lookup = TestRtmpClient.startPlayer(edge3.url('live/r1'));
      players.push(lookup);
      await lookup.until(() => lookup.statusCodes().includes('NetStream.Play.StreamNotFound'), 5000, 'StreamNotFound during the outage');
      expect(Date.now() - started).toBeLessThan(4000);
      expect(lookup.statuses.find((s) => s.code === 'NetStream.Play.StreamNotFound')?.description).toMatch(/registry unavailable/);
      await p1.moreFrames(25, 5000);
    } finally {
      await infra.redis.restart();
    }

    // Empty Redis: heartbeats re-create the node records, the origin's lease re-claims its stream.
    await waitFor(async () => {
      const ids = (await origin.registry.listNodes()).map((n) => n.id).sort();
      return ids.join(',') === 'edge-1,edge-2,edge-3,origin-a';
    }, 8000, 'nodes re-registered');
    await waitFor(async () => (await origin.registry.lookup('live/r1'))?.ownerId === 'origin-a', 8000, 'stream re-claimed');
    const p2 = TestRtmpClient.startPlayer(edge2.url('live/r1'));
    players.push(p2);
    await p2.until(() => p2.mediaCount.video >= 25, 10_000, 'a new player after Redis is back');
    await p1.moreFrames(25, 5000);
    expect(p1.closed).toBe(false);
    expect(p1.statusCodes()).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start']);
  });

  it('NATS restart: streams keep flowing, new publishes are found by polling, subscriptions come back', async () => {
    const p1 = players[0]!;
    const seenByEdge: ClusterEvent[] = [];
    edge1.bus.subscribe({ types: ['stream.published'] }, (e) => {
      seenByEdge.push(e);
    });
    await edge1.bus.flush();

    await infra.nats.stop();
    try {
      await p1.moreFrames(50, 5000);
      // A publish during the outage: no event reaches the edge, the waiting relay finds it in the registry.
      const waiting = TestRtmpClient.startPlayer(edge1.url('live/r2'));
      players.push(waiting);
      await sleep(500);
      ffmpegPublish(procs, infra.flv, origin.url('live/r2'), { loop: true, timeoutMs: 60_000 });
      await waiting.until(() => waiting.mediaCount.video >= 10, 10_000, 'stream published while NATS was down');
      expect(seenByEdge.some((e) => e.type === 'stream.published' && e.key === 'live/r2')).toBe(false);
    } finally {
      await infra.nats.restart();
    }

    // Subscriptions made before the outage deliver again once the clients reconnected.
    await sleep(1500);
    ffmpegPublish(procs, infra.flv, origin.url('live/r3'), { loop: true, timeoutMs: 60_000 });
    await waitFor(() => seenByEdge.some((e) => e.type === 'stream.published' && e.key === 'live/r3'), 10_000, 'event after the NATS restart');
    const p3 = TestRtmpClient.startPlayer(edge2.url('live/r3'));
    players.push(p3);
    await p3.until(() => p3.mediaCount.video >= 10, 10_000, 'new stream after NATS is back');
    await p1.moreFrames(25, 5000);
    expect(p1.closed).toBe(false);
  });
});

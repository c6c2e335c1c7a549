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
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { startNats, type NatsServerHandle } from '../support/nats-server.js';
import { startRedis, type RedisServerHandle } from '../support/redis-server.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { ClusterPlayer } from './support/ClusterPlayer.js';
import { sleep, startEdge, startOrigin, waitFor, type InProcessNode } from './support/inProcessNodes.js';

describe('cluster: redis-server and nats-server restarts', () => {
  const procs = new ClientProcesses();
  const players: ClusterPlayer[] = [];
  let redis: RedisServerHandle;
  let nats: NatsServerHandle;
  let origin: InProcessNode<OriginRole>;
  let edge1: InProcessNode<EdgeRole>;
  let edge2: InProcessNode<EdgeRole>;
  let edge3: InProcessNode<EdgeRole>;
  let flv: string;

  beforeAll(async () => {
    [redis, nats, flv] = await Promise.all([
      startRedis(),
      startNats(),
      makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 25, gop: 25 }),
    ]);
    const urls = { redisUrl: redis.url, natsUrl: nats.url };
    origin = await startOrigin('origin-a', urls, { renewEveryMs: 500, leaseMs: 3000 });
    [edge1, edge2, edge3] = await Promise.all([
      startEdge('edge-1', urls),
      startEdge('edge-2', urls),
      // a short play wait: a lookup during the outage must fail fast and say why
      startEdge('edge-3', urls, { playWaitMs: 1500 }),
    ]);
    ffmpegPublish(procs, flv, origin.url('live/r1'), { loop: true, timeoutMs: 85_000 });
    await waitFor(() => origin.hub.isLive('live/r1'), 10_000, 'publish on the origin');
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    for (const n of [edge1, edge2, edge3, origin]) await n?.stop();
    await Promise.all([redis?.stop(), nats?.stop()]);
  });

  it('Redis restart: streams keep flowing, lookups fail clearly meanwhile, nodes re-register afterwards', async () => {
    const p1 = ClusterPlayer.play(edge1.url('live/r1'));
    players.push(p1);
    await p1.until(() => p1.counts.video >= 25, 10_000, 'frames before the outage');

    await redis.stop();
    try {
      await p1.moreFrames(75, 5000);
      const started = Date.now();
      const lookup = ClusterPlayer.play(edge3.url('live/r1'));
      players.push(lookup);
      await lookup.until(() => lookup.statusCodes().includes('NetStream.Play.StreamNotFound'), 5000, 'StreamNotFound during the outage');
      expect(Date.now() - started).toBeLessThan(4000);
      expect(lookup.statuses.find((s) => s.code === 'NetStream.Play.StreamNotFound')?.description).toMatch(/registry unavailable/);
      await p1.moreFrames(25, 5000);
    } finally {
      await redis.restart();
    }

    // Empty Redis: heartbeats re-create the node records, the origin's lease re-claims its stream.
    await waitFor(async () => {
      const ids = (await origin.registry.listNodes()).map((n) => n.id).sort();
      return ids.join(',') === 'edge-1,edge-2,edge-3,origin-a';
    }, 8000, 'nodes re-registered');
    await waitFor(async () => (await origin.registry.lookup('live/r1'))?.ownerId === 'origin-a', 8000, 'stream re-claimed');
    const p2 = ClusterPlayer.play(edge2.url('live/r1'));
    players.push(p2);
    await p2.until(() => p2.counts.video >= 25, 10_000, 'a new player after Redis is back');
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

    await nats.stop();
    try {
      await p1.moreFrames(50, 5000);
      // A publish during the outage: no event reaches the edge, the waiting relay finds it in the registry.
      const waiting = ClusterPlayer.play(edge1.url('live/r2'));
      players.push(waiting);
      await sleep(500);
      ffmpegPublish(procs, flv, origin.url('live/r2'), { loop: true, timeoutMs: 60_000 });
      await waiting.until(() => waiting.counts.video >= 10, 10_000, 'stream published while NATS was down');
      expect(seenByEdge.some((e) => e.type === 'stream.published' && e.key === 'live/r2')).toBe(false);
    } finally {
      await nats.restart();
    }

    // Subscriptions made before the outage deliver again once the clients reconnected.
    await sleep(1500);
    ffmpegPublish(procs, flv, origin.url('live/r3'), { loop: true, timeoutMs: 60_000 });
    await waitFor(() => seenByEdge.some((e) => e.type === 'stream.published' && e.key === 'live/r3'), 10_000, 'event after the NATS restart');
    const p3 = ClusterPlayer.play(edge2.url('live/r3'));
    players.push(p3);
    await p3.until(() => p3.counts.video >= 10, 10_000, 'new stream after NATS is back');
    await p1.moreFrames(25, 5000);
    expect(p1.closed).toBe(false);
  });
});

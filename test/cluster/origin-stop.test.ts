/**
 * Cluster test 3: origin A (a separate process) is frozen with SIGSTOP while it serves a stream; the encoder
 * moves to origin B, which claims the stream with a higher epoch once A's lease expired. When A is resumed
 * (SIGCONT) its lease renewal reports the claim lost: A drops the stale stream and kicks its publisher. The two
 * publishers' media differ in every frame (A: H.264 + AAC, B: Sorenson H.263 + MP3), and no player ever gets
 * a frame of A after its first frame of B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRegistry } from '@rtmp-cluster/registry';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startFailoverCluster, type FailoverCluster } from './support/failoverCluster.js';
import { CODEC_AVC, CODEC_H263, makeH263Mp3Flv, SOUND_AAC, SOUND_MP3 } from './support/markedMedia.js';

const KEY = 'live/frozen';

const fromA = (m: { kind: string; codecId: number }): boolean =>
  (m.kind === 'video' && m.codecId === CODEC_AVC) || (m.kind === 'audio' && m.codecId === SOUND_AAC);
const fromB = (m: { kind: string; codecId: number }): boolean =>
  (m.kind === 'video' && m.codecId === CODEC_H263) || (m.kind === 'audio' && m.codecId === SOUND_MP3);

describe('cluster: stale origin after SIGSTOP/SIGCONT', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let cluster: FailoverCluster;
  let registry: RedisRegistry;
  let flvB: string;

  beforeAll(async () => {
    [infra, flvB] = await Promise.all([startClusterInfra(), makeH263Mp3Flv(6)]);
    cluster = await startFailoverCluster(procs, infra, KEY);
    registry = await RedisRegistry.connect({ url: infra.redis.url });
  });

  afterAll(async () => {
    cluster?.originA.signal('SIGCONT');
    for (const p of players) p.close();
    await procs.stopAll();
    await cluster?.stop();
    await registry?.close();
    await infra?.stop();
  });

  it('A loses the lease to B, drops its publisher on resume, and players never see A after B', async () => {
    const { originA, originB, edges, events } = cluster;
    const publisherA = ffmpegPublish(procs, infra.flv, originA.url(KEY), { loop: true, timeoutMs: 80_000 });
    await waitFor(() => cluster.published('origin-a') !== undefined, 10_000, 'publish on A');
    for (const e of edges) for (let i = 0; i < 2; i++) players.push(TestRtmpClient.startPlayer(e.url(KEY)));
    await Promise.all(players.map((p) => p.until(() => p.mediaCount.video >= 25, 15_000, 'frames from A')));
    const epochA = (await registry.lookup(KEY))!.epoch;

    originA.signal('SIGSTOP');
    const frozenAt = Date.now();
    try {
      ffmpegPublish(procs, flvB, originB.url(KEY), { loop: true, timeoutMs: 80_000 });
      await waitFor(() => cluster.published('origin-b') !== undefined, 15_000, 'publish on B');
      const location = await registry.lookup(KEY);
      expect(location?.ownerId).toBe('origin-b');
      expect(location!.epoch).toBeGreaterThan(epochA);
      // B could only claim after A's lease (1.5 s) ran out.
      expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(1000);
      await Promise.all(players.map((p) => p.until(() => p.media.some(fromB), 10_000, 'frames from B')));
      await sleep(1000);
    } finally {
      originA.signal('SIGCONT');
    }

    // A wakes up, finds its lease lost, kicks its stale publisher and announces the loss.
    await originA.waitForLog((l) => l.msg === 'stream lease lost: dropping the stale publisher', 10_000, 'lease lost on A');
    const resultA = await Promise.race([publisherA.exited, sleep(10_000).then(() => undefined)]);
    expect(resultA, 'the stale publisher on A was disconnected').toBeDefined();
    await waitFor(
      () => events.some((e) => e.event.type === 'stream.unpublished' && e.event.originId === 'origin-a' && e.event.reason === 'lease-lost'),
      5000,
      'stream.unpublished lease-lost from A',
    );
    expect((await registry.lookup(KEY))?.ownerId).toBe('origin-b');

    // Keep watching for a while after A resumed: nothing of A reaches any player after B started.
    const before = players.map((p) => p.frames);
    await sleep(3000);
    for (const [i, p] of players.entries()) {
      expect(p.closed).toBe(false);
      expect(p.frames).toBeGreaterThan(before[i]! + 30);
      const firstB = p.media.findIndex(fromB);
      expect(firstB).toBeGreaterThan(0);
      const afterSwitch = p.media.slice(firstB);
      expect(afterSwitch.filter(fromA), 'frames of the stale origin after the takeover').toHaveLength(0);
      expect(afterSwitch.filter(fromB).length).toBeGreaterThan(30);
    }
    for (const e of edges) expect(e.role.relay(KEY)?.currentUpstream?.ownerId).toBe('origin-b');
  });
});

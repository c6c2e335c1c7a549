/**
 * Cluster test 5 (in-process nodes, real redis-server, nats-server and ffmpeg): a player that asks an edge for
 * a stream nobody publishes yet gets it once a publisher starts on ANY origin; a stream nobody publishes
 * ends in NetStream.Play.StreamNotFound after the play wait; relays without players are torn down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startEdge, startOrigin, type InProcessNode } from './support/inProcessNodes.js';
import type { EdgeRole, OriginRole } from '@rtmp-cluster/cluster';

const PLAY_WAIT_MS = 6000;
const IDLE_GRACE_MS = 1000;

describe('cluster: player before publisher, unknown streams, idle relays', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let originA: InProcessNode<OriginRole>;
  let originB: InProcessNode<OriginRole>;
  let edge: InProcessNode<EdgeRole>;

  beforeAll(async () => {
    infra = await startClusterInfra();
    const { urls } = infra;
    originA = await startOrigin('origin-a', urls);
    originB = await startOrigin('origin-b', urls);
    edge = await startEdge('edge-1', urls, { playWaitMs: PLAY_WAIT_MS, idleGraceMs: IDLE_GRACE_MS });
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    for (const n of [edge, originA, originB]) await n?.stop();
    await infra?.stop();
  });

  it('a player waiting on an edge gets the stream when a publisher starts on another origin', async () => {
    const early = TestRtmpClient.startPlayer(edge.url('live/late'));
    players.push(early);
    await waitFor(() => edge.role.relay('live/late')?.state === 'waiting', 5000, 'edge relay waiting for a publisher');
    await sleep(1000);
    expect(early.statusCodes()).not.toContain('NetStream.Play.Start');
    const started = Date.now();
    ffmpegPublish(procs, infra.flv, originB.url('live/late'), { loop: true, timeoutMs: 60_000 });
    await early.until(() => early.mediaCount.video >= 10 && early.mediaCount.audio >= 10, PLAY_WAIT_MS, 'frames for the early player');
    expect(early.statusCodes()).toContain('NetStream.Play.Start');
    expect(early.closed).toBe(false);
    // The first frame is a sequence header or keyframe, and came soon after the publish.
    const firstVideo = early.media.find((m) => m.kind === 'video');
    expect(firstVideo?.sequenceHeader || firstVideo?.keyframe).toBe(true);
    expect(Date.now() - started).toBeLessThan(PLAY_WAIT_MS);
    expect(edge.role.relay('live/late')?.currentUpstream?.ownerId).toBe('origin-b');
    expect(originA.role.activePlays()).toHaveLength(0);
  });

  it('an unknown stream ends in StreamNotFound after the play wait, not a hang', async () => {
    const started = Date.now();
    const p = TestRtmpClient.startPlayer(edge.url('live/nobody'));
    players.push(p);
    await p.until(() => p.statusCodes().includes('NetStream.Play.StreamNotFound'), PLAY_WAIT_MS + 5000, 'StreamNotFound');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(PLAY_WAIT_MS - 200);
    expect(elapsed).toBeLessThan(PLAY_WAIT_MS + 3000);
    const status = p.statuses.find((s) => s.code === 'NetStream.Play.StreamNotFound');
    expect(status?.description).toMatch(/No publisher for live\/nobody/);
    expect(p.frames).toBe(0);
    // The pull that waited for it goes away after the idle grace.
    await waitFor(() => edge.role.relay('live/nobody') === undefined, IDLE_GRACE_MS + 3000, 'unknown-stream relay torn down');
  });

  it('a relay without players is torn down after the grace period and the origin sees the pull end', async () => {
    for (const p of players) p.close();
    await waitFor(() => edge.role.relay('live/late') === undefined, IDLE_GRACE_MS + 3000, 'idle relay torn down');
    await waitFor(() => originB.role.activePlays('live/late').length === 0, 3000, 'origin relay play ended');
    // The next player starts a new pull.
    const again = TestRtmpClient.startPlayer(edge.url('live/late'));
    players.push(again);
    await again.until(() => again.mediaCount.video >= 5, 10_000, 'frames after the relay restarted');
    expect(edge.role.relaysStarted).toBe(3);
    expect(originB.role.activePlays('live/late').filter((x) => x.relay)).toHaveLength(1);
  });
});

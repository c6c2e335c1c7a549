/**
 * Cluster test 2: origin A (a separate rtmp-cluster process) is SIGKILLed while it serves a stream; the
 * encoder reconnects to origin B. The origins run with the DEFAULT lease and node TTL (6 s): B must not wait for
 * A's dead claim to lapse, because A's address refuses connections and B takes the stream over at once (new
 * epoch). Edges switch their relay to B within 1 s of B's stream.published event; players on the edges (light
 * in-test players and a real ffmpeg player) stay connected and get frames again, with timestamps that never go
 * backwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientProcesses, ffmpegPublish, ffmpegRecord, ffprobeStreams } from '../support/rtmp-clients.js';
import { TestRtmpClient, type ReceivedMedia } from '../e2e/support/TestRtmpClient.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startFailoverCluster, type FailoverCluster } from './support/failoverCluster.js';
import type { NodeProcess } from './support/nodeProcess.js';

const KEY = 'live/failover';
/** the shipped defaults (nodeProcess shortens them for other scenarios): a dead claim would block for 6 s */
const DEFAULT_TIMINGS = { RTMPC_LEASE_MS: '6000', RTMPC_NODE_TTL_MS: '6000', RTMPC_HEARTBEAT_MS: '2000' };

/** ms time of the first JSON log line of `node` matching `pred` (pino isoTime), or NaN */
function logTime(node: NodeProcess, pred: (l: Record<string, unknown>) => boolean): number {
  const line = node.logs().find(pred);
  return line ? Date.parse(String(line.time)) : Number.NaN;
}

function assertMonotonic(media: ReceivedMedia[]): void {
  for (const kind of ['audio', 'video'] as const) {
    let last = -1;
    for (const m of media.filter((x) => x.kind === kind && !x.sequenceHeader)) {
      expect(m.timestamp, `${kind} timestamp went backwards`).toBeGreaterThanOrEqual(last);
      last = m.timestamp;
    }
  }
}

describe('cluster: origin killed, publisher moves to another origin', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let cluster: FailoverCluster;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-cluster-kill-'));
    infra = await startClusterInfra();
    cluster = await startFailoverCluster(procs, infra, KEY, DEFAULT_TIMINGS);
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    await cluster?.stop();
    await infra?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('edges re-pull from B within 1 s of its publish event; players keep playing', async () => {
    const { originA, originB, edges } = cluster;
    const publisherA = ffmpegPublish(procs, infra.flv, originA.url(KEY), { loop: true, timeoutMs: 80_000 });
    await waitFor(() => cluster.published('origin-a') !== undefined, 10_000, 'publish on A');
    for (const e of edges) for (let i = 0; i < 2; i++) players.push(TestRtmpClient.startPlayer(e.url(KEY)));
    const recording = path.join(tmp, 'ffmpeg-player.flv');
    const ffmpegPlayer = ffmpegRecord(procs, edges[0]!.url(KEY), recording, 12);
    await Promise.all(players.map((p) => p.until(() => p.mediaCount.video >= 25, 15_000, 'frames from A')));
    for (const e of edges) expect(e.role.relay(KEY)?.currentUpstream?.ownerId).toBe('origin-a');

    // Crash A: no unpublish, no lease release; its claim and node record would stay valid for up to 6 s.
    originA.signal('SIGKILL');
    const killedAt = Date.now();
    await publisherA.exited;
    const framesAtKill = players.map((p) => p.frames);
    ffmpegPublish(procs, infra.flv, originB.url(KEY), { loop: true, timeoutMs: 80_000 });

    await waitFor(() => cluster.published('origin-b') !== undefined, 15_000, 'publish on B');
    const publishedAt = cluster.published('origin-b')!.at;
    const epochA = cluster.published('origin-a')!.event;
    const epochB = cluster.published('origin-b')!.event;
    expect((epochB as { epoch: number }).epoch).toBeGreaterThan((epochA as { epoch: number }).epoch);
    for (const e of edges) {
      await waitFor(() => e.role.relay(KEY)?.live === true && e.role.relay(KEY)?.currentUpstream?.ownerId === 'origin-b', 5000, `${e.id} pulling from B`);
    }
    const switchedAt = Date.now();
    expect(switchedAt - publishedAt, 'edges pulled from B within 1 s of the publish event').toBeLessThan(1000);

    // B answered the encoder's publish with Publish.Start within 1.5 s of its request (the server logs
    // 'publish started' right after sending it), not after A's 6 s lease: it took the stream from the dead owner.
    const takeover = await originB.waitForLog((l) => l.msg === 'stream taken over from a dead origin (its address refused connections)' && l.stream === KEY, 2000, 'dead-owner takeover on B');
    expect(takeover).toMatchObject({ previousOwner: 'origin-a', previousEpoch: (epochA as { epoch: number }).epoch, epoch: (epochB as { epoch: number }).epoch, ownerProbe: 'ECONNREFUSED' });
    const started = originB.logs().find((l) => l.msg === 'publish started' && l.stream === KEY)!;
    const publishStartAt = Date.parse(String(started.time));
    const requestedAt = logTime(originB, (l) => l.msg === 'connected' && l.connId === started.connId);
    expect(publishStartAt - requestedAt, 'connect -> Publish.Start on B').toBeLessThan(1500);
    // From the kill: the new ffmpeg's start-up plus the probe and claim, far below the 6 s a lapse would take.
    expect(publishStartAt - killedAt, 'kill -> Publish.Start on B').toBeLessThan(3000);
    // Edge players get B's frames soon after.
    await Promise.all(players.map((p) => p.until(() => p.media.some((m) => m.at > publishedAt && !m.sequenceHeader), 3000, 'first frame from B')));
    for (const p of players) expect(p.media.find((m) => m.at > publishedAt && !m.sequenceHeader)!.at - publishStartAt).toBeLessThan(2500);

    // Every player got frames again, on the same connection, with no unpublish notification.
    await Promise.all(players.map((p, i) => p.until(() => p.frames > framesAtKill[i]! + 50, 10_000, 'frames from B')));
    for (const p of players) {
      expect(p.closed).toBe(false);
      expect(p.statusCodes()).toEqual(['NetStream.Play.Reset', 'NetStream.Play.Start']);
      assertMonotonic(p.media);
      // New sequence headers arrived after the switch.
      expect(p.media.filter((m) => m.kind === 'video' && m.sequenceHeader).length).toBeGreaterThanOrEqual(1);
    }
    // One relay pull per edge on B.
    for (const e of edges) expect(e.role.relayStats()[0]?.switches).toBeGreaterThanOrEqual(1);

    // The real ffmpeg player rode through the switch: it ran to its 12 s of media and wrote a valid file.
    const result = await ffmpegPlayer.exited;
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const probe = await ffprobeStreams(procs, recording);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    expect(video?.codec_name).toBe('h264');
    expect(Number(video?.nb_read_frames ?? 0)).toBeGreaterThan(200);
    await sleep(10);
  });
});

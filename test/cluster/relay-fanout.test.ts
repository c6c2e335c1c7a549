/**
 * Cluster test 1 (in-process nodes, real redis-server, nats-server, ffmpeg and ffprobe): a stream published
 * with ffmpeg to origin A is played on two edges; each edge opens exactly ONE relay pull to the origin, also
 * when 200 players join one edge at the same moment (single-flight), and every player gets frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startEdge, startOrigin, type InProcessNode } from './support/inProcessNodes.js';
import type { EdgeRole, OriginRole } from '@rtmp-cluster/cluster';

describe('cluster: one relay pull per edge, players on every edge', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let origin: InProcessNode<OriginRole>;
  let edge1: InProcessNode<EdgeRole>;
  let edge2: InProcessNode<EdgeRole>;

  beforeAll(async () => {
    infra = await startClusterInfra();
    const { urls } = infra;
    origin = await startOrigin('origin-a', urls);
    edge1 = await startEdge('edge-1', urls);
    edge2 = await startEdge('edge-2', urls);
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    for (const n of [edge1, edge2, origin]) await n?.stop();
    await infra?.stop();
  });

  it('200 players joining one edge at once share one relay pull; both edges serve ffprobe', async () => {
    ffmpegPublish(procs, infra.flv, origin.url('live/cam1'), { loop: true, timeoutMs: 80_000 });
    await waitFor(() => origin.hub.isLive('live/cam1'), 10_000, 'publish on origin A');

    // The burst arrives before any relay exists on edge-1.
    const burst = Array.from({ length: 200 }, () => TestRtmpClient.startPlayer(edge1.url('live/cam1'), { record: false }));
    players.push(...burst);
    await Promise.all(burst.map((p) => p.until(() => p.mediaCount.video >= 10 && p.mediaCount.audio >= 10, 30_000, 'burst player frames')));
    expect(burst.every((p) => p.statusCodes().includes('NetStream.Play.Start'))).toBe(true);

    // A real client on each edge.
    const [probe1, probe2] = await Promise.all([
      ffprobeStreams(procs, edge1.url('live/cam1'), { seconds: 2 }),
      ffprobeStreams(procs, edge2.url('live/cam1'), { seconds: 2 }),
    ]);
    for (const probe of [probe1, probe2]) {
      const video = probe.streams.find((s) => s.codec_type === 'video');
      const audio = probe.streams.find((s) => s.codec_type === 'audio');
      expect(video?.codec_name, probe.result.stderr).toBe('h264');
      expect(video?.width).toBe(320);
      expect(audio?.codec_name).toBe('aac');
      expect(Number(video?.nb_read_frames ?? 0)).toBeGreaterThan(10);
    }

    // The origin saw exactly one relay pull per edge, and each edge opened exactly one upstream connection.
    const relays = origin.role.activePlays('live/cam1').filter((p) => p.relay);
    expect(relays).toHaveLength(2);
    expect(origin.role.activePlays('live/cam1').filter((p) => !p.relay)).toHaveLength(0);
    for (const edge of [edge1, edge2]) {
      expect(edge.role.relaysStarted).toBe(1);
      const [stats] = edge.role.relayStats();
      expect(stats?.pulls).toBe(1);
      expect(stats?.upstream?.ownerId).toBe('origin-a');
    }
    // Relay connections are told apart from players by the credential: the edges' relays, not 200 players.
    expect(origin.server.stats().players).toBe(2);
    expect(edge1.server.stats().players).toBeGreaterThanOrEqual(200);
  });

  it('a second burst on the other edge while it already relays still opens no new pull', async () => {
    const more = Array.from({ length: 50 }, () => TestRtmpClient.startPlayer(edge2.url('live/cam1'), { record: false }));
    players.push(...more);
    await Promise.all(more.map((p) => p.until(() => p.mediaCount.video >= 5, 20_000, 'second burst frames')));
    expect(origin.role.activePlays('live/cam1').filter((p) => p.relay)).toHaveLength(2);
    expect(edge2.role.relaysStarted).toBe(1);
    expect(edge2.role.relayStats()[0]?.pulls).toBe(1);
    // The node records carry role, address, load and state.
    await waitFor(async () => ((await edge1.registry.getNode('edge-1'))?.load.connections ?? 0) >= 200, 5000, 'edge-1 load in its node record');
    const nodes = await origin.registry.listNodes();
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(byId.get('origin-a')).toMatchObject({ role: 'origin', address: origin.address, state: 'ready' });
    expect(byId.get('edge-1')).toMatchObject({ role: 'edge', address: edge1.address, state: 'ready' });
    expect(byId.get('origin-a')!.load.streams).toBe(1);
  });
});

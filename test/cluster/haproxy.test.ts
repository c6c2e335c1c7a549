/**
 * Cluster test 6: the whole path as separate processes — ffmpeg -> origin process -> two edge processes ->
 * HAProxy (deploy/haproxy.cfg, configured by environment as deploy/local-cluster.mjs does) -> players.
 * Players spread over both edges and all of them receive the stream.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams, type ClientProcess } from '../support/rtmp-clients.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { metricValue, startNodeProcess, type NodeProcess } from './support/nodeProcess.js';

const HAPROXY_CFG = path.resolve(import.meta.dirname, '../../deploy/haproxy.cfg');
const KEY = 'live/lb';
const EDGE_PROXY_ENV = { RTMPC_PROXY_PROTOCOL: 'optional', RTMPC_PROXY_TRUSTED_CIDRS: '127.0.0.1/32' };

async function tcpOpen(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('cluster: players through HAProxy over two edge processes', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let origin: NodeProcess;
  let edges: NodeProcess[];
  let haproxy: ClientProcess;
  let lbPort: number;

  beforeAll(async () => {
    infra = await startClusterInfra();
    const { urls } = infra;
    [origin, ...edges] = await Promise.all([
      startNodeProcess(procs, 'origin', 'origin-1', urls),
      // deploy/haproxy.cfg sends PROXY v2 headers
      startNodeProcess(procs, 'edge', 'edge-1', urls, EDGE_PROXY_ENV),
      startNodeProcess(procs, 'edge', 'edge-2', urls, EDGE_PROXY_ENV),
    ]);
    lbPort = await freePort();
    haproxy = procs.spawn('haproxy', ['-db', '-f', HAPROXY_CFG], {
      timeoutMs: 120_000,
      env: {
        ...process.env,
        RTMPC_LB_BIND: `127.0.0.1:${lbPort}`,
        RTMPC_EDGE1_RTMP: edges[0]!.address,
        RTMPC_EDGE1_HTTP_PORT: String(edges[0]!.httpPort),
        RTMPC_EDGE2_RTMP: edges[1]!.address,
        RTMPC_EDGE2_HTTP_PORT: String(edges[1]!.httpPort),
      },
    });
    await waitFor(() => tcpOpen(lbPort), 10_000, "haproxy listening").catch((err: Error) => {
      throw new Error(`${err.message}: ${haproxy.stderr()}`);
    });
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    await infra?.stop();
  });

  it('players spread over the edges and all receive frames', async () => {
    ffmpegPublish(procs, infra.flv, origin.url(KEY), { loop: true, timeoutMs: 80_000 });
    await origin.waitForLog((l) => l.msg === 'stream claimed', 10_000, 'stream claimed');
    const lbUrl = `rtmp://127.0.0.1:${lbPort}/${KEY}`;
    for (let i = 0; i < 20; i++) {
      players.push(TestRtmpClient.startPlayer(lbUrl));
      await sleep(20);
    }
    await Promise.all(players.map((p) => p.until(() => p.mediaCount.video >= 25 && p.mediaCount.audio >= 25, 20_000, 'frames through HAProxy')));
    const probe = await ffprobeStreams(procs, lbUrl, { seconds: 2 });
    expect(probe.streams.find((s) => s.codec_type === 'video')?.codec_name, probe.result.stderr).toBe('h264');
    expect(Number(probe.streams.find((s) => s.codec_type === 'video')?.nb_read_frames ?? 0)).toBeGreaterThan(10);

    const perEdge = await Promise.all(edges.map(async (e) => metricValue(await e.metrics(), 'rtmpc_rtmp_players') ?? 0));
    expect(perEdge[0]! + perEdge[1]!).toBeGreaterThanOrEqual(20);
    for (const n of perEdge) expect(n, `players per edge ${perEdge.join('/')}`).toBeGreaterThanOrEqual(5);
    // Each edge pulls the stream once from the origin.
    expect(metricValue(await origin.metrics(), 'rtmpc_rtmp_players')).toBe(2);
    for (const p of players) expect(p.closed).toBe(false);
  });
});

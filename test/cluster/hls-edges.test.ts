/**
 * Cluster-consistent LL-HLS (real redis-server, nats-server, two origins and two edges as processes of the
 * executable, ffmpeg publishing, ffprobe reading): both edges list the same media sequence numbers with the
 * same durations, a segment or part URI from one edge is served byte for byte by the other, and a viewer
 * whose playlist and media requests alternate between the edges gets every part in time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { parsePlaylist, nextPartQuery, type ParsedPlaylist } from '../support/llhls.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startNodeProcess, type NodeProcess } from './support/nodeProcess.js';

const KEY = 'live/hls1';
const procs = new ClientProcesses();
let infra: ClusterInfra;
const web = new Map<NodeProcess, string>();
let edge1: NodeProcess;
let edge2: NodeProcess;

async function node(role: 'origin' | 'edge', id: string): Promise<NodeProcess> {
  const port = await freePort();
  const n = await startNodeProcess(procs, role, id, infra.urls, { RTMPC_WEB_PORT: String(port) });
  web.set(n, `http://127.0.0.1:${port}`);
  return n;
}

function url(n: NodeProcess, path: string): string {
  return `${web.get(n)}/${KEY}/${path}`;
}

async function playlist(n: NodeProcess, query: string): Promise<ParsedPlaylist> {
  const res = await fetch(url(n, `index.m3u8?${query}`));
  expect(res.status, await res.clone().text()).toBe(200);
  return parsePlaylist(await res.text());
}

async function bytes(n: NodeProcess, uri: string): Promise<Buffer> {
  const res = await fetch(url(n, uri));
  expect(res.status, `${uri} on ${n.id}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  infra = await startClusterInfra();
  const [originA] = await Promise.all([node('origin', 'origin-a'), node('origin', 'origin-b')]);
  [edge1, edge2] = await Promise.all([node('edge', 'edge-1'), node('edge', 'edge-2')]);
  ffmpegPublish(procs, infra.flv, originA.url(KEY), { loop: true, timeoutMs: 110_000 });
  await originA.waitForLog((l) => l.msg === 'stream claimed', 10_000, 'stream claimed');
}, 90_000);

afterAll(async () => {
  await procs.stopAll();
  await infra?.stop();
});

describe('LL-HLS on two edges of a cluster', () => {
  it('ffprobe reads H.264 and AAC from an edge', async () => {
    const probe = await ffprobeStreams(procs, url(edge1, 'index.m3u8'), { seconds: 3 });
    const kinds = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds, probe.result.stderr).toEqual(['audio:aac', 'video:h264']);
    expect(Number(probe.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBeGreaterThan(20);
  });

  it('both edges list the same MSNs and durations, and serve each other\'s URIs byte for byte', async () => {
    // edge-2 starts pulling now, seconds after edge-1: it joins from the origin's GOP cache
    const session = 'consistency01';
    let p1!: ParsedPlaylist;
    let p2!: ParsedPlaylist;
    await waitFor(async () => {
      [p1, p2] = await Promise.all([playlist(edge1, `session=${session}`), playlist(edge2, `session=${session}`)]);
      const common = p2.segments.filter((s) => p1.segments.some((t) => t.msn === s.msn));
      return common.length >= 3;
    }, 30_000, 'three segments listed by both edges');
    expect(p1.map).toBe(p2.map);
    const byMsn = new Map(p1.segments.map((s) => [s.msn, s.duration]));
    const common = p2.segments.filter((s) => byMsn.has(s.msn));
    for (const s of common) expect(s.duration, `segment ${s.msn}`).toBe(byMsn.get(s.msn));
    // the numbers come from the registry's claim time, not from when an edge started pulling
    expect(p1.segments[0]!.msn).toBeGreaterThan(1_000_000_000);
    for (const s of common) {
      const [a, b] = await Promise.all([bytes(edge1, s.uri), bytes(edge2, s.uri)]);
      expect(a.equals(b), `segment ${s.msn} differs between the edges`).toBe(true);
    }
    const [i1, i2] = await Promise.all([bytes(edge1, p1.map!), bytes(edge2, p1.map!)]);
    expect(i1.equals(i2)).toBe(true);
    // parts of the segment being written: the same on both
    const part = p1.parts[p1.parts.length - 1]!;
    const [a, b] = await Promise.all([bytes(edge1, part.uri), bytes(edge2, part.uri)]);
    expect(a.equals(b), `part ${part.msn}.${part.index}`).toBe(true);
  });

  it('a viewer alternating between the edges gets every part in order without a stall', async () => {
    const session = 'alternating1';
    const edges = [edge1, edge2];
    let p = await playlist(edge1, `session=${session}`);
    const startedAt = Date.now();
    let fetchedSeconds = 0;
    let expected = p.hint!;
    let longestWaitMs = 0;
    for (let i = 0; i < 40; i++) {
      const t0 = Date.now();
      // blocking reload on one edge, the part itself from the other
      p = await playlist(edges[i % 2]!, `session=${session}&${nextPartQuery(p)}`);
      const listed = p.parts.find((x) => x.msn === expected.msn && x.index === expected.index) ?? p.parts.find((x) => x.msn === expected.msn + 1 && x.index === 0 && expected.index > 0);
      expect(listed, `part ${expected.msn}.${expected.index} after reload ${i}:\n${p.text}`).toBeTruthy();
      const body = await bytes(edges[(i + 1) % 2]!, listed!.uri);
      expect(body.subarray(4, 8).toString()).toBe('moof');
      fetchedSeconds += listed!.duration;
      longestWaitMs = Math.max(longestWaitMs, Date.now() - t0);
      expected = p.hint!;
    }
    const elapsed = (Date.now() - startedAt) / 1000;
    // every wait is about a part (0.2 s), never a stall of a second; media keeps pace with the clock
    expect(longestWaitMs).toBeLessThan(1000);
    expect(fetchedSeconds).toBeGreaterThan(elapsed - 1);
  });
});

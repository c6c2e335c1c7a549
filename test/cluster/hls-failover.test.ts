/**
 * Cluster-consistent LL-HLS across an origin failover (real redis-server, nats-server, two origins and two
 * edges as processes of the executable, ffmpeg publishing): edge-1 serves HLS while origin A owns the stream;
 * A is killed, the encoder moves to B (a new epoch, timestamps from 0 again). edge-1's relay follows, and its
 * hub rebases B's timestamps for its RTMP players; edge-2 starts only after the takeover. Both must list B's
 * segments with the same MSNs, durations and discontinuity numbers, and serve each other's URIs byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { parsePlaylist, type ParsedPlaylist } from '../support/llhls.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startNodeProcess, type NodeProcess } from './support/nodeProcess.js';

const KEY = 'live/hlsfailover';
const procs = new ClientProcesses();
let infra: ClusterInfra;
const web = new Map<NodeProcess, string>();

async function node(role: 'origin' | 'edge', id: string): Promise<NodeProcess> {
  const port = await freePort();
  const n = await startNodeProcess(procs, role, id, infra.urls, { RTMPC_WEB_HOST: '127.0.0.1', RTMPC_WEB_PORT: String(port) });
  web.set(n, `http://127.0.0.1:${port}`);
  return n;
}

function url(n: NodeProcess, path: string): string {
  return `${web.get(n)}/${KEY}/${path}`;
}

async function playlist(n: NodeProcess): Promise<ParsedPlaylist> {
  const res = await fetch(url(n, 'index.m3u8?session=failover01'));
  expect(res.status, `${n.id}: ${await res.clone().text()}`).toBe(200);
  return parsePlaylist(await res.text());
}

async function bytes(n: NodeProcess, uri: string): Promise<Buffer> {
  const res = await fetch(url(n, uri));
  expect(res.status, `${uri} on ${n.id}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** the discontinuity number of each listed segment, as a player counts it (sequence + tags before it) */
function discontinuityNumbers(p: ParsedPlaylist): Map<number, number> {
  const out = new Map<number, number>();
  let d = Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(p.text)?.[1] ?? 0);
  let i = 0;
  for (const line of p.text.split('\n')) {
    if (line === '#EXT-X-DISCONTINUITY') d++;
    else if (line.startsWith('#EXTINF:')) out.set(p.segments[i++]!.msn, d);
  }
  return out;
}

beforeAll(async () => {
  infra = await startClusterInfra();
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  await infra?.stop();
});

describe('LL-HLS across an origin failover', () => {
  it('an edge that lived through the failover and an edge started after it number the stream alike', async () => {
    const [originA, originB] = await Promise.all([node('origin', 'origin-a'), node('origin', 'origin-b')]);
    const edge1 = await node('edge', 'edge-1');
    const publisherA = ffmpegPublish(procs, infra.flv, originA.url(KEY), { loop: true, timeoutMs: 110_000 });
    await originA.waitForLog((l) => l.msg === 'stream claimed', 10_000, 'stream claimed on A');
    let before!: ParsedPlaylist;
    await waitFor(async () => (before = await playlist(edge1)).segments.length >= 3, 20_000, 'edge-1 lists segments from A');
    const lastFromA = before.segments.at(-1)!.msn;

    originA.signal('SIGKILL');
    await publisherA.exited;
    ffmpegPublish(procs, infra.flv, originB.url(KEY), { loop: true, timeoutMs: 110_000 });
    await originB.waitForLog((l) => l.msg === 'stream claimed', 15_000, 'stream claimed on B');
    // edge-1 keeps its viewer (and so its muxing) through the takeover
    const keepAlive = setInterval(() => void fetch(url(edge1, 'index.m3u8?session=failover01')).catch(() => undefined), 1000);
    try {
      await waitFor(async () => (await playlist(edge1)).segments.some((s) => s.msn > lastFromA), 20_000, 'edge-1 lists segments from B');
      const edge2 = await node('edge', 'edge-2');
      let p1!: ParsedPlaylist;
      let p2!: ParsedPlaylist;
      await waitFor(async () => {
        [p1, p2] = await Promise.all([playlist(edge1), playlist(edge2)]);
        return p2.segments.filter((s) => p1.segments.some((t) => t.msn === s.msn)).length >= 3;
      }, 30_000, 'three segments listed by both edges');

      const byMsn = new Map(p1.segments.map((s) => [s.msn, s.duration]));
      const common = p2.segments.filter((s) => byMsn.has(s.msn));
      expect(Math.min(...common.map((s) => s.msn))).toBeGreaterThan(lastFromA);
      for (const s of common) expect(s.duration, `segment ${s.msn}\n${p1.text}\n${p2.text}`).toBe(byMsn.get(s.msn));
      // a player moving between the edges counts the same discontinuity for every segment (hls.js 'cc')
      const d1 = discontinuityNumbers(p1);
      const d2 = discontinuityNumbers(p2);
      for (const s of common) expect(d1.get(s.msn), `discontinuity number of ${s.msn}\n${p1.text}\n${p2.text}`).toBe(d2.get(s.msn));
      // B's segments follow A's as a discontinuity on edge-1 (a tag, or the window restarted past the
      // takeover's gap in the numbering with a higher EXT-X-DISCONTINUITY-SEQUENCE)
      const lastDiscontinuityOfA = discontinuityNumbers(before).get(lastFromA)!;
      expect(d1.get(common[0]!.msn)).toBeGreaterThan(lastDiscontinuityOfA);
      expect(p2.map).toBeDefined();
      for (const s of common) {
        const [a, b] = await Promise.all([bytes(edge1, s.uri), bytes(edge2, s.uri)]);
        expect(a.equals(b), `segment ${s.msn} differs between the edges`).toBe(true);
      }
      const [i1, i2] = await Promise.all([bytes(edge1, p2.map!), bytes(edge2, p2.map!)]);
      expect(i1.equals(i2)).toBe(true);
      // edge-1 re-anchored on the new epoch (it said so), it did not keep A's anchor
      expect(edge1.logs().some((l) => String(l.msg).startsWith('HLS: the stream timeline restarted'))).toBe(true);
    } finally {
      clearInterval(keepAlive);
      await sleep(10);
    }
  }, 120_000);
});

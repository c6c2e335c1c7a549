/**
 * Cluster-consistent LL-HLS (real redis-server, nats-server, two origins and two edges as processes of the
 * executable, ffmpeg publishing, ffprobe reading): both edges list the same media sequence numbers with the
 * same durations, a segment or part URI from one edge is served byte for byte by the other, and a viewer
 * whose playlist and media requests alternate between the edges gets every part in time; so does hls.js in
 * Chromium when every one of its requests goes to the other edge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, servePages, waitForPlayback } from '../support/browser.js';
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
      const [body, same] = await Promise.all([bytes(edges[(i + 1) % 2]!, listed!.uri), bytes(edges[i % 2]!, listed!.uri)]);
      expect(body.subarray(4, 8).toString()).toBe('moof');
      expect(body.equals(same), `${listed!.uri} differs between the edges`).toBe(true);
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

describe('hls.js across two edges', () => {
  // hls.js 1.7.4 stalled at start in about half of the runs of this test until the node held a joining viewer's
  // first playlist near a segment's end (packages/hls/README.md, "Where a viewer joins"); a viewer that joined
  // where the looped publisher's audio sat half a frame off a fixed grid met a hole in its buffer until audio
  // was placed per segment ("Audio placement" there). 18 looped runs of 18 passed with both.
  it('plays without a stall when every request goes to the other edge', { timeout: 120_000 }, async () => {
    // Both edges have served the stream for a whole window (a load balancer spreads a popular stream's viewers
    // over edges that all pull it): their playlists start at the same segment, so each is a valid reload of the
    // other. An edge that started pulling seconds ago lists a shorter window; what that costs a player whose
    // requests alternate is written down in packages/hls/README.md ("Cluster-consistent numbering").
    await waitFor(async () => {
      const [a, b] = await Promise.all([playlist(edge1, 'session=warmboth01'), playlist(edge2, 'session=warmboth01')]);
      return a.segments.length >= 2 && a.segments[0]!.msn === b.segments[0]!.msn;
    }, 45_000, 'both edges listing the same window');
    const hosts = [new URL(web.get(edge1)!).host, new URL(web.get(edge2)!).host];
    const site = await servePages({
      '/player.html': `<!doctype html><html><body><video id="v" autoplay playsinline muted></video>
<script src="${web.get(edge1)}/play-assets/hls.js"></script>
<script>
  window.stalls = 0; window.requests = [];
  const v = document.getElementById('v');
  v.addEventListener('waiting', () => { if (v.currentTime > 0) window.stalls++; });
  // playlists and media each alternate between the edges, media starting on the other one
  const turn = { playlist: 0, media: 1 };
  const hls = new Hls({ lowLatencyMode: true, xhrSetup: (xhr, u) => {
    const t = new URL(u);
    const kind = t.pathname.endsWith('.m3u8') ? 'playlist' : 'media';
    t.host = ${JSON.stringify(hosts)}[turn[kind]++ % 2]; window.requests.push(t.host + t.pathname);
    xhr.open('GET', t.toString(), true);
  } });
  const ranges = (r) => Array.from({ length: r.length }, (_, i) => r.start(i).toFixed(3) + '-' + r.end(i).toFixed(3)).join(' ');
  const loaded = [];
  hls.on(Hls.Events.FRAG_BUFFERED, (e, d) => { loaded.push((d.part ? d.frag.sn + '.' + d.part.index : String(d.frag.sn)) + '@' + (performance.now() | 0)); if (loaded.length > 30) loaded.shift(); });
  hls.on(Hls.Events.ERROR, (e, d) => console.error('hls error', d.type, d.details, d.fatal ? 'fatal' : '', 'at', v.currentTime.toFixed(3), 'buffered', ranges(v.buffered), 'last parts', loaded.join(' ')));
  hls.loadSource(${JSON.stringify(url(edge1, 'index.m3u8'))});
  hls.attachMedia(v);
  v.play().catch((e) => console.error('play', e.message));
</script></body></html>`,
    });
    const chromium = await launchChromium();
    // what the player asked each edge and how long each answer took: printed when the test fails
    const requestTrace: string[] = [];
    const sentAt = new Map<string, number>();
    try {
      const { page, log } = await chromium.newPage();
      const t0 = Date.now();
      page.on('request', (r) => sentAt.set(r.url(), Date.now()));
      page.on('response', (r) => {
        if (r.status() >= 400) log.push(`HTTP ${r.status()} ${r.url()}`);
      });
      page.on('requestfinished', (r) => {
        const u = new URL(r.url());
        if (requestTrace.length < 200) requestTrace.push(`${Date.now() - t0} ms: ${r.response()?.status()} after ${Date.now() - (sentAt.get(r.url()) ?? t0)} ms from :${u.port} ${u.pathname}${u.search.replace(/session=[^&]*&?/, '')}`);
        sentAt.delete(r.url());
      });
      await page.goto(site.url('/player.html'));
      const first = await waitForPlayback(page, (s) => s.decodedFrames >= 25 && s.audioBytes > 0 && s.currentTime > 0.5, 20_000);
      expect(first.decodedFrames, log.join('\n')).toBeGreaterThanOrEqual(25);
      const later = await waitForPlayback(page, (s) => s.currentTime >= first.currentTime + 6, 12_000);
      expect(later.currentTime, log.join('\n')).toBeGreaterThanOrEqual(first.currentTime + 6);
      expect(later.audioBytes).toBeGreaterThan(first.audioBytes);
      const { stalls, requests } = await page.evaluate(() => {
        const w = window as unknown as { stalls: number; requests: string[] };
        return { stalls: w.stalls, requests: w.requests };
      });
      expect(stalls, log.join('\n')).toBe(0);
      // media came from both edges
      for (const h of hosts) expect(requests.filter((r) => r.startsWith(h) && r.endsWith('.m4s')).length).toBeGreaterThan(5);
      expect(log.filter((l) => l.includes('hls error')), log.join('\n')).toEqual([]);
    } catch (e) {
      console.log(`requests of the failed run:\n${requestTrace.join('\n')}\nunanswered: ${[...sentAt.keys()].join(' ') || 'none'}`);
      throw e;
    } finally {
      await chromium.close();
      await site.close();
    }
  });
});

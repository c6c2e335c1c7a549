// The measurements bench:cluster takes of both origin -> edge pairs, ours and nginx-rtmp's (an edge that pulls
// with `pull rtmp://origin/live`), so the two are compared in the same run: first frame at a cold edge, the
// latency one relay hop adds, and the edge's CPU per delivered Gbit with N players.
import { nowMs } from '../fanout/BenchRtmpClient.mjs';
import { cpuSeconds } from '../fanout/ProcessStats.mjs';
import { startNginxRtmp } from '../fanout/ServersUnderTest.mjs';
import { summarize } from './Distribution.mjs';
import { TimedPlayer } from './TimedPlayer.mjs';

const APP = 'live';
const FIRST_FRAME_TIMEOUT_MS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** nginx-rtmp origin and an nginx-rtmp edge pulling from it on demand (one worker each). */
export async function startNginxPair(dir) {
  const origin = await startNginxRtmp(dir, { name: 'nginx-origin' });
  const edge = await startNginxRtmp(dir, { name: 'nginx-edge', liveDirectives: [`pull rtmp://127.0.0.1:${origin.port}/${APP};`] });
  return { origin, edge };
}

/**
 * Per video timestamp the publisher sent between windowStart and windowEnd: what `later` received after
 * `earlier` (ms), and each one's latency from the send.
 */
export function hopLatency(pub, earlier, later, windowStart, windowEnd) {
  const arrivals = (p) => {
    const m = new Map();
    for (let i = 0; i < p.frames; i++) if (!m.has(p.frameTs[i])) m.set(p.frameTs[i], p.frameAt[i]);
    return m;
  };
  const [atEarlier, atLater] = [arrivals(earlier), arrivals(later)];
  const hop = [];
  const earlierLatency = [];
  const laterLatency = [];
  let sent = 0;
  let missing = 0;
  for (const [ts, sentAt] of pub.videoSendTimes) {
    if (sentAt < windowStart || sentAt > windowEnd) continue;
    sent++;
    const a = atEarlier.get(ts);
    const b = atLater.get(ts);
    if (a === undefined || b === undefined) {
      missing++;
      continue;
    }
    hop.push(b - a);
    earlierLatency.push(a - sentAt);
    laterLatency.push(b - sentAt);
  }
  return { hop, earlierLatency, laterLatency, sent, missing };
}

/** `runs` plays at an edge with no other player, `spacingMs` apart: ms from TCP connect to the first video frame. */
export async function coldFirstFrames(stream, edgePort, runs, spacingMs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    await sleep(spacingMs);
    const p = new TimedPlayer({ port: edgePort, app: APP, stream });
    try {
      await p.start();
      await p.until(() => p.firstFrameAt > 0, FIRST_FRAME_TIMEOUT_MS, 'first video frame at a cold edge');
      samples.push(p.firstFrameAt - p.connectStartedAt);
    } finally {
      p.close();
    }
  }
  return summarize(samples);
}

/**
 * One player on the origin, one plus `players` more on the edge, for `seconds` past their join bursts: the added
 * latency per hop, and the edge process's CPU seconds per Gbit its players received.
 */
export async function measurePair({ stream, pub, originPort, edgePort, edgePid, players, seconds }) {
  const all = [];
  const open = (port) => {
    const p = new TimedPlayer({ port, app: APP, stream });
    all.push(p);
    return p;
  };
  try {
    const direct = open(originPort);
    const viaEdge = open(edgePort);
    const load = Array.from({ length: players }, () => open(edgePort));
    await Promise.all(all.map((p) => p.start()));
    await Promise.all(all.map((p) => p.until(() => p.frames > 30, 15_000, 'player frames')));
    await sleep(1000); // past the join bursts (cached GOP)
    const edgeViewers = [viaEdge, ...load];
    const bytes = () => edgeViewers.reduce((n, p) => n + p.client.bytesIn, 0);
    const [cpu0, bytes0, windowStart] = [cpuSeconds(edgePid), bytes(), nowMs()];
    await sleep(seconds * 1000);
    const [cpu1, bytes1] = [cpuSeconds(edgePid), bytes()];
    const windowEnd = nowMs() - 500; // frames sent in the last 500 ms may still be in flight
    const lat = hopLatency(pub, direct, viaEdge, windowStart, windowEnd);
    const deliveredGbit = ((bytes1 - bytes0) * 8) / 1e9;
    return {
      players: edgeViewers.length,
      hop: summarize(lat.hop),
      // publisher send -> the latency player among the edge's players: the whole path through the cluster
      edgeLatency: summarize(lat.laterLatency),
      framesSent: lat.sent,
      framesMissing: lat.missing,
      edgeCpuSeconds: cpu1 - cpu0,
      deliveredGbit,
      edgeCpuPerGbit: deliveredGbit > 0 ? (cpu1 - cpu0) / deliveredGbit : NaN,
      playersClosed: edgeViewers.filter((p) => p.closed).length,
    };
  } finally {
    for (const p of all) p.close();
  }
}

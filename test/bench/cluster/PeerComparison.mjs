// The measurements bench:cluster takes of both origin -> edge pairs, ours and nginx-rtmp's (an edge that pulls
// with `pull rtmp://origin/live`), so the two are compared in the same run: first frame at a cold edge, the
// latency one relay hop adds, and the edge's CPU per delivered Gbit with N players.
import { Worker } from 'node:worker_threads';
import { nowMs } from '../fanout/BenchRtmpClient.mjs';
import { cpuSeconds } from '../fanout/ProcessStats.mjs';
import { startNginxRtmp } from '../fanout/ServersUnderTest.mjs';
import { broadcast, request } from '../fanout/WorkerCommands.mjs';
import { summarize } from './Distribution.mjs';
import { TimedPlayer } from './TimedPlayer.mjs';

const APP = 'live';
const FIRST_FRAME_TIMEOUT_MS = 5000;
/** the edge's load players: two threads, each at most half a core's reading, and the join ramp */
const LOAD_WORKERS = 2;
const LOAD_RAMP_PER_SEC = 250;
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
 * One round of one pair: a latency probe on the origin and one on the edge, then `players` load players on the
 * edge, and over `seconds`:
 * - `hop`: per frame, what the edge probe received after the origin probe. Both probes subscribe before the load,
 *   so each node writes them first in its fan-out cycle: the figure is the relay's own time (the origin's write to
 *   the relay, the relay's read, the edge's ingest), not the probe's place among the edge's players.
 * - `edgeLatency`: publisher send -> each load player, over all of them: the whole path through the cluster, the
 *   edge's fan-out cycle included.
 * The load players run in worker threads (../fanout/player-worker.mjs), so reading 1 Gbit/s or more does not
 * delay the probes' event loop; `loadgenLagP99Ms` is the workers' own event-loop delay.
 */
export async function measurePair({ stream, pub, originPort, edgePort, edgePid, players, seconds }) {
  const direct = new TimedPlayer({ port: originPort, app: APP, stream });
  const viaEdge = new TimedPlayer({ port: edgePort, app: APP, stream });
  const probes = [direct, viaEdge];
  const workers = Array.from({ length: LOAD_WORKERS }, () => new Worker(new URL('../fanout/player-worker.mjs', import.meta.url), {
    workerData: { port: edgePort, app: APP, stream },
  }));
  try {
    await Promise.all(probes.map((p) => p.start()));
    await Promise.all(probes.map((p) => p.until(() => p.frames > 30, 15_000, 'probe frames')));
    const shares = workers.map(() => []);
    for (let i = 0; i < players; i++) shares[i % LOAD_WORKERS].push(i);
    await Promise.all(workers.map((w, k) => request(w, { cmd: 'start', indices: shares[k], rampPerSec: LOAD_RAMP_PER_SEC / LOAD_WORKERS })));
    const joinDeadline = Date.now() + (players / LOAD_RAMP_PER_SEC) * 1000 + 15_000;
    for (;;) {
      const st = await broadcast(workers, { cmd: 'status' });
      if (st.reduce((n, x) => n + x.playing + x.failed, 0) >= players) break;
      if (Date.now() > joinDeadline) throw new Error(`load players did not all start playing on port ${edgePort}`);
      await sleep(250);
    }
    await sleep(1000); // past the join bursts (cached GOP)
    await broadcast(workers, { cmd: 'windowStart' });
    const [cpu0, probeBytes0, windowStart] = [cpuSeconds(edgePid), viaEdge.client.bytesIn, nowMs()];
    await sleep(seconds * 1000);
    const [cpu1, probeBytes1] = [cpuSeconds(edgePid), viaEdge.client.bytesIn];
    await broadcast(workers, { cmd: 'windowEnd' });
    const windowEnd = nowMs() - 500; // frames sent in the last 500 ms may still be in flight
    const lat = hopLatency(pub, direct, viaEdge, windowStart, windowEnd);
    const reports = await broadcast(workers, { cmd: 'report', ...pub.videoSendTable(windowStart, windowEnd), windowStart, windowEnd });
    const summaries = reports.flatMap((r) => r.summaries);
    const loadLatencies = reports.flatMap((r) => [...r.latencies]);
    const deliveredGbit = ((probeBytes1 - probeBytes0 + summaries.reduce((n, x) => n + x.windowBytes, 0)) * 8) / 1e9;
    return {
      players: players + 1,
      hop: summarize(lat.hop),
      edgeLatency: summarize(loadLatencies),
      probeEdgeLatency: summarize(lat.laterLatency),
      loadgenLagP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
      framesSent: lat.sent,
      framesMissing: lat.missing,
      edgeCpuSeconds: cpu1 - cpu0,
      deliveredGbit,
      edgeCpuPerGbit: deliveredGbit > 0 ? (cpu1 - cpu0) / deliveredGbit : NaN,
      playersClosed: summaries.filter((x) => x.error).length + (viaEdge.closed ? 1 : 0),
    };
  } finally {
    for (const p of probes) p.close();
    await Promise.all(workers.map((w) => request(w, { cmd: 'close' }).catch(() => undefined)));
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// A worker thread running a share of the benchmark's players. It records, per
// player, connect time, first video time, bytes, and (inside the measurement
// window) the receive time of every video timestamp. Media is never parsed.
import { parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MessageType, splitAggregate } from '@rtmp-cluster/rtmp';
import { BenchRtmpClient, nowMs } from './BenchRtmpClient.mjs';

const STALL_MS = 1000;

class Player {
  constructor(index) {
    this.index = index;
    this.client = null;
    this.connectStart = 0;
    this.firstVideoAt = 0;
    this.lastVideoAt = 0;
    this.bytesAtWindowStart = 0;
    this.bytesAtWindowEnd = 0;
    this.error = null;
    this.closedAt = 0;
    this.videoTs = [];
    this.videoAt = [];
  }
}

const players = [];
let inWindow = false;
let eluStart = null;
let eluWindow = null;
// how late this thread's event loop ran callbacks: an upper bound on what the load generator adds to latency
const LOOP_DELAY_RESOLUTION_MS = 2;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });

function onVideo(p, timestamp, at) {
  if (p.firstVideoAt === 0) p.firstVideoAt = at;
  p.lastVideoAt = at;
  if (inWindow) {
    p.videoTs.push(timestamp);
    p.videoAt.push(at);
  }
}

function startPlayer(p, o) {
  p.connectStart = nowMs();
  const client = new BenchRtmpClient({
    port: o.port,
    app: o.app,
    onMedia: (msg) => {
      if (msg.type === MessageType.Video) onVideo(p, msg.timestamp, nowMs());
      else if (msg.type === MessageType.Aggregate) {
        const at = nowMs();
        for (const sub of splitAggregate(msg)) if (sub.type === MessageType.Video) onVideo(p, sub.timestamp, at);
      }
    },
    onClose: (err) => {
      p.closedAt = nowMs();
      if (!p.error) p.error = err ? err.message : 'closed by server';
    },
  });
  p.client = client;
  client
    .connect()
    .then(() => client.play(o.stream))
    .catch((err) => {
      if (!p.error) p.error = err.message;
      client.close(err);
    });
}

function start(o) {
  const gapMs = 1000 / o.rampPerSec;
  o.indices.forEach((index, k) => {
    const p = new Player(index);
    players.push(p);
    setTimeout(() => startPlayer(p, o), k * gapMs);
  });
}

function status() {
  let started = 0;
  let playing = 0;
  let failed = 0;
  for (const p of players) {
    if (p.connectStart) started++;
    if (p.firstVideoAt) playing++;
    else if (p.error) failed++;
  }
  return { started, playing, failed, total: players.length };
}

/** Latencies against the publisher's send table, plus a per-player summary. */
function report({ ts, at, key = [], windowStart, windowEnd }) {
  const sendAt = new Map();
  for (let i = 0; i < ts.length; i++) sendAt.set(ts[i], at[i]);
  const keyframes = new Set(ts.filter((_, i) => key[i]));
  // frames every healthy player must have by the window's end
  const expected = [];
  for (let i = 0; i < ts.length; i++) if (at[i] >= windowStart && at[i] <= windowEnd - STALL_MS) expected.push(ts[i]);

  let total = 0;
  for (const p of players) total += p.videoTs.length;
  const latencies = new Float64Array(total);
  let n = 0;
  // keyframes apart: the largest frames, the tail of the latency
  const keyLatencies = [];
  const summaries = [];
  for (const p of players) {
    let maxLatency = 0;
    let unmatched = 0;
    const got = new Set();
    for (let i = 0; i < p.videoTs.length; i++) {
      const s = sendAt.get(p.videoTs[i]);
      if (s === undefined) {
        unmatched++;
        continue;
      }
      const l = p.videoAt[i] - s;
      latencies[n++] = l;
      if (keyframes.has(p.videoTs[i])) keyLatencies.push(l);
      if (l > maxLatency) maxLatency = l;
      got.add(p.videoTs[i]);
    }
    let missing = 0;
    for (const t of expected) if (!got.has(t)) missing++;
    summaries.push({
      index: p.index,
      error: p.error,
      ttffMs: p.firstVideoAt ? p.firstVideoAt - p.connectStart : null,
      windowBytes: p.bytesAtWindowEnd - p.bytesAtWindowStart,
      frames: p.videoTs.length,
      unmatched,
      maxLatency,
      missing,
      expected: expected.length,
      stalled: p.lastVideoAt < windowEnd - STALL_MS,
    });
  }
  return { latencies: latencies.subarray(0, n), keyLatencies: Float64Array.from(keyLatencies), summaries };
}

parentPort.on('message', (m) => {
  switch (m.cmd) {
    case 'start':
      start({ ...workerData, ...m });
      parentPort.postMessage({ cmd: 'start' });
      break;
    case 'status':
      parentPort.postMessage({ cmd: 'status', ...status() });
      break;
    case 'windowStart':
      for (const p of players) p.bytesAtWindowStart = p.client?.bytesIn ?? 0;
      inWindow = true;
      eluStart = performance.eventLoopUtilization();
      loopDelay.reset();
      loopDelay.enable();
      parentPort.postMessage({ cmd: 'windowStart' });
      break;
    case 'windowEnd':
      inWindow = false;
      for (const p of players) p.bytesAtWindowEnd = p.client?.bytesIn ?? 0;
      eluWindow = performance.eventLoopUtilization(eluStart).utilization;
      loopDelay.disable();
      parentPort.postMessage({ cmd: 'windowEnd' });
      break;
    case 'report': {
      const r = report(m);
      // the delay histogram includes the sampling interval itself
      const loopDelayP99Ms = Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS);
      parentPort.postMessage({ cmd: 'report', elu: eluWindow, loopDelayP99Ms, ...r }, [r.latencies.buffer]);
      break;
    }
    case 'close':
      for (const p of players) p.client?.close(null);
      parentPort.postMessage({ cmd: 'close' });
      break;
    default:
      break;
  }
});

// Live fan-out benchmark: one real-time ~2 Mbit/s H.264+AAC publisher, N players
// on loopback, against rtmp-cluster (all-in-one), nginx-rtmp (one worker) and
// node-media-server v4, each in the same run, alternated (A B A B) over --rounds. The table goes to stderr,
// the results as one JSON document to stdout and to bench/results/ (with the machine and its load).
//
//   npm run bench:fanout [-- --players N --seconds S --servers ours,nginx,nms --rounds 2 --workers W --ramp R --pin --no-record]
//   (--pin: the server on CPU 0, the publisher and players on the others)
//   (a server 'ours:RTMPC_MERGE_WINDOW_MS=0+RTMPC_FLUSH_ON_VIDEO_FRAME=true' is rtmp-cluster with those settings)
//
// Runs on compiled packages (Node 20 cannot strip TypeScript types): the npm
// script builds first. Linux only (/proc for CPU and RSS).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { alternation, describeMachine, recordResult } from '../BenchResults.mjs';
import { makeBenchFlv, readFlvTags } from './BenchMedia.mjs';
import { nowMs } from './BenchRtmpClient.mjs';
import { PacedPublisher } from './PacedPublisher.mjs';
import { cpuSeconds, machineCpuSeconds, treeCpuSeconds, treeRssBytes } from './ProcessStats.mjs';
import { readSendLatencyBuckets, sendLatencyBetween } from './NodeSendLatency.mjs';
import { defaultCpuSplit, killSpawned, pinCpus, SERVERS } from './ServersUnderTest.mjs';
import { broadcast, request } from './WorkerCommands.mjs';

const { values: cli } = parseArgs({
  options: {
    players: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    servers: { type: 'string', default: 'ours,nginx,nms' },
    workers: { type: 'string', default: '2' },
    ramp: { type: 'string', default: '500' }, // player connects per second, all workers together
    'behind-ms': { type: 'string', default: '1000' },
    'keep-logs': { type: 'boolean', default: false }, // keep each server's temp dir (config, logs)
    rounds: { type: 'string', default: '2' }, // each server this many times, alternated
    'no-record': { type: 'boolean', default: false }, // print the JSON, do not write bench/results/
    pin: { type: 'boolean', default: false }, // server and load generator on separate CPUs
  },
  strict: true,
});
const PLAYERS = Number(cli.players);
const SECONDS = Number(cli.seconds);
const WORKERS = Math.max(1, Math.min(Number(cli.workers), PLAYERS));
const RAMP = Number(cli.ramp);
const BEHIND_MS = Number(cli['behind-ms']);
const KEEP_LOGS = cli['keep-logs'];
const ROUNDS = Number(cli.rounds);
const PIN = cli.pin ? defaultCpuSplit() : null;
const SERVER_NAMES = cli.servers.split(',').map((s) => s.trim()).filter(Boolean);
for (const [k, v] of Object.entries({ PLAYERS, SECONDS, WORKERS, RAMP, BEHIND_MS, ROUNDS })) {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`--${k.toLowerCase()} must be a positive number`);
}
/**
 * 'ours:RTMPC_X=1+RTMPC_Y=2' is rtmp-cluster with those settings: an A/B of a setting in the same run. A value may
 * hold '=' ('ours:NODE_OPTIONS=--cpu-prof --max-semi-space-size=2').
 */
function serverVariant(spec) {
  const [base, envSpec] = spec.split(':');
  const env = Object.fromEntries((envSpec ?? '').split('+').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { base, env, label: envSpec ? `${SERVERS[base]?.label} ${envSpec}` : SERVERS[base]?.label };
}
for (const s of SERVER_NAMES) if (!SERVERS[serverVariant(s).base]) throw new RangeError(`unknown server "${s}" (ours, nginx, nms; ours:RTMPC_SETTING=value+... for a variant)`);

const STREAM = 'bench';
const PUBLISH_TIMEOUT_MS = 10_000;
const PUBLISHER_WARMUP_MS = 2500; // publisher live and a GOP cached before any player connects
const SETTLE_MS = 2000; // after the last player started, before the window opens
const JOIN_TIMEOUT_MS = 15_000; // beyond the ramp time
const MAX_MISSING_FRACTION = 0.05;
const NOISY_OTHER_CPU_PCT = 25; // other processes using a quarter of a core: the machine was not quiet

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const tempDirs = new Set();
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(signal, () => {
    killSpawned();
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    process.exit(code);
  });
}
process.on('exit', killSpawned);

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Rejects if `promise` has not settled within `ms`. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runOne(name, media) {
  const variant = serverVariant(name);
  const def = { ...SERVERS[variant.base], label: variant.label };
  const unavailable = def.available();
  if (unavailable) return { name: def.label, skipped: unavailable };

  const dir = mkdtempSync(path.join(os.tmpdir(), `fanout-${variant.base}-`));
  tempDirs.add(dir);
  let server = null;
  let publisher = null;
  let workers = [];
  try {
    server = await def.start(dir, variant.env);
    publisher = new PacedPublisher({ port: server.port, app: def.app, stream: STREAM, media });
    await withTimeout(publisher.start(), PUBLISH_TIMEOUT_MS, 'publish');
    await sleep(PUBLISHER_WARMUP_MS);
    if (publisher.failure) throw publisher.failure;
    const idleRss = treeRssBytes(server.pid);

    workers = Array.from({ length: WORKERS }, () => new Worker(new URL('./player-worker.mjs', import.meta.url), {
      workerData: { port: server.port, app: def.app, stream: STREAM },
    }));
    let workerFailure = null;
    for (const w of workers) w.on('error', (err) => (workerFailure ??= err));
    const shares = workers.map(() => []);
    for (let i = 0; i < PLAYERS; i++) shares[i % WORKERS].push(i);
    await Promise.all(workers.map((w, k) => request(w, { cmd: 'start', indices: shares[k], rampPerSec: RAMP / WORKERS })));

    // wait for every player to get video, fail, or time out
    const joinDeadline = Date.now() + (PLAYERS / RAMP) * 1000 + JOIN_TIMEOUT_MS;
    let joined = { started: 0, playing: 0, failed: 0, total: PLAYERS };
    while (Date.now() < joinDeadline) {
      const st = await broadcast(workers, { cmd: 'status' });
      joined = st.reduce((a, s) => ({ started: a.started + s.started, playing: a.playing + s.playing, failed: a.failed + s.failed, total: a.total }), { started: 0, playing: 0, failed: 0, total: PLAYERS });
      if (joined.started === PLAYERS && joined.playing + joined.failed === PLAYERS) break;
      await sleep(250);
    }
    await sleep(SETTLE_MS);
    if (publisher.failure) throw publisher.failure;
    if (workerFailure) throw workerFailure;

    // measurement window
    const send0 = server.metricsUrl ? await readSendLatencyBuckets(server.metricsUrl) : null;
    await broadcast(workers, { cmd: 'windowStart' });
    const windowStart = nowMs();
    const cpu0 = treeCpuSeconds(server.pid);
    const selfCpu0 = cpuSeconds(process.pid);
    const machine0 = machineCpuSeconds();
    const elu0 = performance.eventLoopUtilization();
    const pubBytes0 = publisher.bytesSent;
    const rssSamples = [];
    const windowEndAt = windowStart + SECONDS * 1000;
    while (nowMs() < windowEndAt) {
      await sleep(Math.min(500, Math.max(1, windowEndAt - nowMs())));
      rssSamples.push(treeRssBytes(server.pid));
    }
    const cpu1 = treeCpuSeconds(server.pid);
    const selfCpu1 = cpuSeconds(process.pid);
    const machine1 = machineCpuSeconds();
    const windowEnd = nowMs();
    const mainElu = performance.eventLoopUtilization(elu0).utilization;
    const pubBytes = publisher.bytesSent - pubBytes0;
    await broadcast(workers, { cmd: 'windowEnd' });
    const send1 = server.metricsUrl ? await readSendLatencyBuckets(server.metricsUrl) : null;
    const serverDied = server.exited;
    const logAtWindowEnd = readTail(server.logFile); // before the players close (their resets get logged)

    if (workerFailure) throw workerFailure;
    const table = publisher.videoSendTable();
    const reports = await broadcast(workers, { cmd: 'report', ...table, windowStart, windowEnd });
    await broadcast(workers, { cmd: 'close' });

    const windowSec = (windowEnd - windowStart) / 1000;
    let latCount = 0;
    for (const r of reports) latCount += r.latencies.length;
    const lat = new Float64Array(latCount);
    let off = 0;
    for (const r of reports) {
      lat.set(r.latencies, off);
      off += r.latencies.length;
    }
    lat.sort();
    const keyLat = Float64Array.from(reports.flatMap((r) => [...r.keyLatencies])).sort();
    const summaries = reports.flatMap((r) => r.summaries);
    const ttff = Float64Array.from(summaries.filter((s) => s.ttffMs !== null).map((s) => s.ttffMs)).sort();
    const deliveredBytes = summaries.reduce((a, s) => a + s.windowBytes, 0);
    const deliveredBits = deliveredBytes * 8;
    const behind = summaries.filter(
      (s) => s.error || s.stalled || s.maxLatency > BEHIND_MS || s.missing > s.expected * MAX_MISSING_FRACTION,
    );
    const unmatched = summaries.reduce((a, s) => a + s.unmatched, 0);
    const frames = summaries.reduce((a, s) => a + s.frames, 0);
    const rssDuring = rssSamples.length ? Math.max(...rssSamples) : idleRss;
    return {
      name: def.label,
      players: PLAYERS,
      playing: summaries.filter((s) => s.ttffMs !== null).length,
      deliveredMbps: deliveredBits / windowSec / 1e6,
      publishMbps: (pubBytes * 8) / windowSec / 1e6,
      serverCpuPct: ((cpu1 - cpu0) / windowSec) * 100,
      cpuPerGbit: (cpu1 - cpu0) / (deliveredBits / 1e9),
      idleRssMb: idleRss / 2 ** 20,
      rssPerPlayerKb: (rssDuring - idleRss) / PLAYERS / 1024,
      latP50: percentile(lat, 0.5),
      latP99: percentile(lat, 0.99),
      latMax: lat.length ? lat[lat.length - 1] : NaN,
      // the node's own histogram (hub entry -> socket write), without the load generator's share; null for peers
      nodeSendLatency: send1 ? sendLatencyBetween(send0, send1) : null,
      // keyframes (one video frame in a GOP, the largest) carry the tail: every player gets the big frame in one cycle
      latKeyframeP50: percentile(keyLat, 0.5),
      latKeyframeShare: lat.length ? keyLat.length / lat.length : 0,
      ttffP50: percentile(ttff, 0.5),
      ttffP99: percentile(ttff, 0.99),
      behind: behind.length,
      behindDetail: {
        errors: summaries.filter((s) => s.error).length,
        stalled: summaries.filter((s) => s.stalled).length,
        late: summaries.filter((s) => s.maxLatency > BEHIND_MS).length,
        missing: summaries.filter((s) => s.missing > s.expected * MAX_MISSING_FRACTION).length,
        firstError: summaries.find((s) => s.error)?.error,
      },
      unmatchedFraction: frames ? unmatched / frames : 0,
      loadgenCpuPct: ((selfCpu1 - selfCpu0) / windowSec) * 100,
      // everything else on the machine (other processes, unattributed softirq): the noise floor of this run
      otherCpuPct: ((machine1.busy - machine0.busy - (cpu1 - cpu0) - (selfCpu1 - selfCpu0)) / windowSec) * 100,
      machineCores: os.cpus().length,
      loopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
      workerElu: reports.map((r) => r.elu),
      mainElu,
      publisherLateMs: publisher.lateMs,
      serverDied,
      serverLogTail: behind.length > 0 || serverDied ? logAtWindowEnd : '',
    };
  } catch (err) {
    return { name: def.label, failed: err instanceof Error ? err.message : String(err) };
  } finally {
    for (const w of workers) await w.terminate();
    publisher?.stop();
    await server?.stop();
    if (KEEP_LOGS) console.error(`${def.label}: logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

function readTail(file, lines = 8) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function printTable(results) {
  const cols = [
    ['server', (r) => r.name],
    ['playing', (r) => `${r.playing}/${r.players}`],
    ['Mbit/s', (r) => fmt(r.deliveredMbps, 0)],
    ['srv CPU%', (r) => fmt(r.serverCpuPct, 0)],
    ['CPU s/Gbit', (r) => fmt(r.cpuPerGbit, 2)],
    ['RSS/player KB', (r) => fmt(r.rssPerPlayerKb, 0)],
    ['lat p50 ms', (r) => fmt(r.latP50, 1)],
    ['lat p99 ms', (r) => fmt(r.latP99, 1)],
    ['node p50/p99 ms', (r) => (r.nodeSendLatency ? `${fmt(r.nodeSendLatency.p50Ms, 1)}/${fmt(r.nodeSendLatency.p99Ms, 1)}` : '-')],
    ['TTFF p50 ms', (r) => fmt(r.ttffP50, 0)],
    ['TTFF p99 ms', (r) => fmt(r.ttffP99, 0)],
    ['behind', (r) => String(r.behind)],
    ['loadgen CPU%', (r) => fmt(r.loadgenCpuPct, 0)],
    ['loadgen lag p99 ms', (r) => fmt(r.loopDelayP99Ms, 0)],
    ['other CPU%', (r) => fmt(r.otherCpuPct, 0)],
  ];
  const ok = results.filter((r) => !r.skipped && !r.failed);
  const rows = [cols.map((c) => c[0]), ...ok.map((r) => cols.map((c) => c[1](r)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const [k, row] of rows.entries()) {
    console.error(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    if (k === 0) console.error(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.error('');
  for (const r of results) {
    if (r.skipped) console.error(`${r.name}: skipped (${r.skipped})`);
    else if (r.failed) console.error(`${r.name}: FAILED: ${r.failed}`);
    else {
      const d = r.behindDetail;
      console.error(
        `${r.name}: publish ${fmt(r.publishMbps, 2)} Mbit/s (publisher at most ${fmt(r.publisherLateMs, 1)} ms late), ` +
          `idle RSS ${fmt(r.idleRssMb, 1)} MB, latency max ${fmt(r.latMax, 0)} ms, keyframes p50 ${fmt(r.latKeyframeP50, 0)} ms (${fmt(r.latKeyframeShare * 100, 1)}% of frames); ` +
          `behind = ${d.errors} errors + ${d.stalled} stalled + ${d.late} over ${BEHIND_MS} ms + ${d.missing} missing >${MAX_MISSING_FRACTION * 100}% frames (overlapping)` +
          `${d.firstError ? ` [first error: ${d.firstError}]` : ''}; ` +
          `load generator: worker event loops ${r.workerElu.map((e) => `${fmt(e * 100, 0)}%`).join('/')} busy, main ${fmt(r.mainElu * 100, 0)}%` +
          `${r.unmatchedFraction > 0.01 ? `; WARNING ${fmt(r.unmatchedFraction * 100, 0)}% of video timestamps did not match a published one (server rewrote timestamps?)` : ''}` +
          `${r.serverDied ? `; SERVER EXITED ${JSON.stringify(r.serverDied)}` : ''}`,
      );
      if (r.otherCpuPct > NOISY_OTHER_CPU_PCT) {
        console.error(`  WARNING: ${fmt(r.otherCpuPct, 0)}% CPU went to other processes during the ${r.name} window: latency and "behind" figures of this run are not trustworthy`);
      }
      if (r.serverLogTail) console.error(`  ${r.name} log tail:\n    ${r.serverLogTail.split('\n').join('\n    ')}`);
    }
  }
}

async function main() {
  const flv = await makeBenchFlv(10);
  const media = await readFlvTags(flv);
  console.error(
    `fan-out: 1 publisher (1280x720 30 fps H.264 CBR 2000k GOP 30 + AAC 128k, real time), ${PLAYERS} players in ${WORKERS} worker threads, ` +
      `${SECONDS} s window, ${os.cpus().length} CPUs, node ${process.version}`,
  );
  console.error(
    'Mbit/s = delivered to all players; srv CPU% = server process utime+stime / window (100% = one core); CPU s/Gbit = server CPU-seconds per delivered Gbit;',
  );
  console.error(
    `RSS/player = (server RSS during - idle with publisher) / players; lat = publisher send -> player receive of the same video timestamp; TTFF = connect -> first video (publisher live);`,
  );
  console.error('node p50/p99 = what the node itself measures from a message entering its hub to the write to each player (its rtmpc_hub_send_latency_seconds histogram, interpolated in 5-10 ms buckets);');
  console.error(`behind = players with an error, no video in the last 1 s, a frame later than ${BEHIND_MS} ms, or >5% frames missing;`);
  console.error(
    `loadgen CPU% = this process (players + publisher); loadgen lag = p99 event-loop delay of the player threads (what the load generator itself adds to latency); ` +
      `other CPU% = the rest of the machine (${os.cpus().length * 100}% = all cores busy): high values mean a noisy run.`,
  );
  if (PIN) {
    pinCpus(PIN);
    console.error(`pinned: servers on CPU ${PIN.server}, publisher and players on CPU ${PIN.loadGenerator}`);
  }
  console.error('');
  const machine = describeMachine();
  const results = [];
  const order = alternation(SERVER_NAMES, ROUNDS);
  for (const [i, name] of order.entries()) {
    process.stderr.write(`running ${name} (round ${Math.floor(i / SERVER_NAMES.length) + 1} of ${ROUNDS})...\n`);
    results.push({ server: name, round: Math.floor(i / SERVER_NAMES.length) + 1, ...(await runOne(name, media)) });
  }
  printTable(results);
  const doc = {
    machine,
    settings: { players: PLAYERS, seconds: SECONDS, workers: WORKERS, rampPerSec: RAMP, behindMs: BEHIND_MS, rounds: ROUNDS, servers: SERVER_NAMES, cpus: PIN ?? 'shared' },
    media: '1280x720 30 fps H.264 CBR 2000k GOP 30 + AAC 128k, real time',
    results: results.map(({ serverLogTail: _tail, ...r }) => r),
  };
  if (cli['no-record']) process.stdout.write(`${JSON.stringify({ bench: 'fanout', ...doc })}\n`);
  else recordResult('fanout', doc);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(killSpawned);

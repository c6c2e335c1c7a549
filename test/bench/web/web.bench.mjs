// Web delivery benchmark: one real-time ~2 Mbit/s H.264+AAC publisher into one rtmp-cluster node, then, in
// the same run and against the same process, N RTMP players, N HTTP-FLV viewers and N WS-FLV viewers (one
// kind at a time). Prints, per kind, what was delivered and the node's CPU per delivered Gbit, and the ratio to
// RTMP (the goal: HTTP-FLV within +10%).
//
//   npm run bench:web [-- --viewers N --seconds S --kinds rtmp,http-flv,ws-flv --workers W --ramp R]
//
// Runs on the compiled packages (the npm script builds first). Linux only (/proc for CPU and RSS).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { makeBenchFlv, readFlvTags } from '../fanout/BenchMedia.mjs';
import { PacedPublisher } from '../fanout/PacedPublisher.mjs';
import { machineCpuSeconds, treeCpuSeconds, treeRssBytes } from '../fanout/ProcessStats.mjs';
import { freePort, killSpawnedOnExit, SERVERS } from '../fanout/ServersUnderTest.mjs';
import { broadcast, request } from '../fanout/WorkerCommands.mjs';

const { values: cli } = parseArgs({
  options: {
    viewers: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    kinds: { type: 'string', default: 'rtmp,http-flv,ws-flv' },
    workers: { type: 'string', default: '2' },
    ramp: { type: 'string', default: '500' },
  },
  strict: true,
});
const VIEWERS = Number(cli.viewers);
const SECONDS = Number(cli.seconds);
const WORKERS = Math.max(1, Number(cli.workers));
const RAMP = Number(cli.ramp);
const KINDS = cli.kinds.split(',').map((s) => s.trim()).filter(Boolean);
for (const k of KINDS) if (!['rtmp', 'http-flv', 'ws-flv'].includes(k)) throw new RangeError(`unknown kind ${k}`);
const STREAM = 'bench';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

killSpawnedOnExit();

async function phase(kind, server, webPort, publisher) {
  const workers = Array.from({ length: WORKERS }, () =>
    kind === 'rtmp'
      ? new Worker(new URL('../fanout/player-worker.mjs', import.meta.url), { workerData: { port: server.port, app: 'live', stream: STREAM } })
      : new Worker(new URL('./web-viewer-worker.mjs', import.meta.url), { workerData: { port: webPort, app: 'live', stream: STREAM, protocol: kind } }),
  );
  try {
    const shares = workers.map(() => []);
    for (let i = 0; i < VIEWERS; i++) shares[i % WORKERS].push(i);
    await Promise.all(workers.map((w, k) => request(w, { cmd: 'start', indices: shares[k], rampPerSec: RAMP / WORKERS })));
    const deadline = Date.now() + (VIEWERS / RAMP) * 1000 + 15_000;
    let st = { playing: 0, failed: 0 };
    while (Date.now() < deadline) {
      const all = await broadcast(workers, { cmd: 'status' });
      st = all.reduce((a, s) => ({ playing: a.playing + s.playing, failed: a.failed + s.failed }), { playing: 0, failed: 0 });
      if (st.playing + st.failed >= VIEWERS) break;
      await sleep(250);
    }
    await sleep(2000);
    await broadcast(workers, { cmd: 'windowStart' });
    const t0 = performance.now();
    const cpu0 = treeCpuSeconds(server.pid);
    const m0 = machineCpuSeconds();
    let rss = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      await sleep(500);
      rss = Math.max(rss, treeRssBytes(server.pid));
    }
    const cpu1 = treeCpuSeconds(server.pid);
    const m1 = machineCpuSeconds();
    const windowSec = (performance.now() - t0) / 1000;
    await broadcast(workers, { cmd: 'windowEnd' });
    const table = publisher.videoSendTable();
    const reports = await broadcast(workers, { cmd: 'report', ...table, windowStart: 0, windowEnd: Number.MAX_SAFE_INTEGER });
    await broadcast(workers, { cmd: 'close' });
    const summaries = reports.flatMap((r) => r.summaries);
    const bits = summaries.reduce((a, s) => a + s.windowBytes, 0) * 8;
    const ttff = summaries.filter((s) => s.ttffMs !== null).map((s) => s.ttffMs).sort((a, b) => a - b);
    return {
      kind,
      playing: st.playing,
      failed: st.failed,
      deliveredMbps: bits / windowSec / 1e6,
      serverCpuPct: ((cpu1 - cpu0) / windowSec) * 100,
      cpuSecPerGbit: (cpu1 - cpu0) / (bits / 1e9),
      rssMb: rss / 2 ** 20,
      ttffP50: ttff[Math.floor(ttff.length / 2)] ?? NaN,
      machineCpuPct: ((m1.busy - m0.busy) / windowSec) * 100,
    };
  } finally {
    for (const w of workers) await w.terminate();
  }
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main() {
  const media = await readFlvTags(await makeBenchFlv(10));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-web-'));
  const webPort = await freePort();
  const server = await SERVERS.ours.start(dir, { RTMPC_WEB_PORT: String(webPort) });
  const publisher = new PacedPublisher({ port: server.port, app: 'live', stream: STREAM, media });
  const results = [];
  try {
    await publisher.start();
    await sleep(2500);
    for (const kind of KINDS) {
      results.push(await phase(kind, server, webPort, publisher));
      await sleep(2000);
    }
  } finally {
    publisher.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = results.find((r) => r.kind === 'rtmp');
  console.log(`rtmp-cluster web delivery, ${VIEWERS} viewers per kind, ${SECONDS} s window, ${os.cpus().length} cores, Node ${process.version}`);
  console.log('kind       playing  failed  delivered Mbit/s  node CPU %  CPU s/Gbit  vs RTMP  RSS MB  first media p50 ms  machine CPU %');
  for (const r of results) {
    const ratio = base ? r.cpuSecPerGbit / base.cpuSecPerGbit : NaN;
    console.log(
      `${r.kind.padEnd(10)} ${String(r.playing).padStart(7)} ${String(r.failed).padStart(7)} ${fmt(r.deliveredMbps).padStart(17)} ${fmt(r.serverCpuPct, 1).padStart(11)} ${fmt(r.cpuSecPerGbit, 3).padStart(11)} ${fmt(ratio, 2).padStart(8)} ${fmt(r.rssMb).padStart(7)} ${fmt(r.ttffP50).padStart(19)} ${fmt(r.machineCpuPct).padStart(14)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

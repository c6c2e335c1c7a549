// Where a player's memory goes on the rtmp-cluster node: one real-time publisher (the fan-out bench stream), then
// N RTMP players, and the node's memory before and after as V8 and Node count it (heap, external buffers) next
// to its RSS, per player. Prints numbers only; run it twice to see the spread.
//
//   node test/bench/profile/memory-per-player.mjs [--players 1000] [--settle 5000]
//   (npm run build first; the node runs with the fan-out bench's settings)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { makeBenchFlv, readFlvTags } from '../fanout/BenchMedia.mjs';
import { PacedPublisher } from '../fanout/PacedPublisher.mjs';
import { killSpawnedOnExit, SERVERS } from '../fanout/ServersUnderTest.mjs';

const { values: cli } = parseArgs({ options: { players: { type: 'string', default: '1000' }, settle: { type: 'string', default: '5000' } }, strict: true });
const PLAYERS = Number(cli.players);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
killSpawnedOnExit();

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
const preload = new URL('./memory-report-preload.mjs', import.meta.url).pathname;
const server = await SERVERS.ours.start(dir, { NODE_OPTIONS: `--max-semi-space-size=2 --expose-gc --import ${preload}`, MEMORY_REPORT_DIR: dir });
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]);

/** The node's memory now: its own report plus RSS from /proc. */
async function snapshot() {
  const before = new Set(readdirSync(dir));
  process.kill(server.pid, 'SIGWINCH');
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const file = readdirSync(dir).find((f) => f.startsWith('memory-') && !before.has(f));
    if (file) return { rssKb: rssKb(), ...JSON.parse(readFileSync(path.join(dir, file), 'utf8')) };
  }
  throw new Error('the node wrote no memory report (was the preload loaded?)');
}

function request(w, msg) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.cmd !== msg.cmd) return;
      w.off('message', on);
      resolve(m);
    };
    w.on('message', on);
    w.postMessage(msg);
  });
}

const publisher = new PacedPublisher({ port: server.port, app: 'live', stream: 'bench', media: await readFlvTags(await makeBenchFlv(10)) });
await publisher.start();
await sleep(3000);
const idle = await snapshot();
const workers = [0, 1].map(() => new Worker(new URL('../fanout/player-worker.mjs', import.meta.url), { workerData: { port: server.port, app: 'live', stream: 'bench' } }));
try {
  const all = [...Array(PLAYERS).keys()];
  await Promise.all(workers.map((w, k) => request(w, { cmd: 'start', indices: all.filter((i) => i % 2 === k), rampPerSec: 250 })));
  let playing = 0;
  for (let i = 0; i < 60 && playing < PLAYERS; i++) {
    await sleep(1000);
    playing = (await Promise.all(workers.map((w) => request(w, { cmd: 'status' })))).reduce((n, s) => n + s.playing, 0);
  }
  await sleep(Number(cli.settle));
  const busy = await snapshot();
  const perPlayer = (a, b) => Math.round((b - a) / playing);
  const kb = (bytes) => Math.round(bytes / 1024);
  const rows = [
    ['RSS', idle.rssKb * 1024, busy.rssKb * 1024],
    ['V8 heap committed', idle.usage.heapTotal, busy.usage.heapTotal],
    ['V8 heap used, live', idle.usage.heapUsed, busy.usage.heapUsed],
    ['V8 heap used, with garbage', idle.beforeGc.heapUsed, busy.beforeGc.heapUsed],
    ['external (Buffers), live', idle.usage.external, busy.usage.external],
    ['external, with garbage', idle.beforeGc.external, busy.beforeGc.external],
    ...Object.keys(busy.spaces).filter((s) => busy.spaces[s].committed > 0).map((s) => [`  ${s} committed`, idle.spaces[s]?.committed ?? 0, busy.spaces[s].committed]),
  ];
  const rest = busy.rssKb * 1024 - idle.rssKb * 1024 - (busy.usage.heapTotal - idle.usage.heapTotal) - (busy.usage.external - idle.usage.external);
  console.log(`${playing} of ${PLAYERS} players playing, node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`);
  console.log('what                      idle KB    with players KB   bytes per player');
  for (const [what, a, b] of rows) console.log(`${what.padEnd(24)} ${String(kb(a)).padStart(8)} ${String(kb(b)).padStart(17)} ${String(perPlayer(a, b)).padStart(18)}`);
  console.log(`${'RSS not in heap/external'.padEnd(24)} ${''.padStart(8)} ${''.padStart(17)} ${String(Math.round(rest / playing)).padStart(18)}`);
} finally {
  for (const w of workers) await w.terminate();
  publisher.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

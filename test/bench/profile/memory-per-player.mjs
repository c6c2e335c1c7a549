// Where a player's memory goes on the rtmp-cluster node: one real-time publisher (the fan-out bench stream), then
// N RTMP players, and the node's memory before and after as V8 and Node count it (heap, external buffers) next
// to its RSS, per player. Prints numbers only; run it twice to see the spread.
//
// With stages (`--players 1000,2000`) it adds players up to each count in turn and also prints what each player
// of a later stage added. That marginal figure leaves out what a busy node pays once, whatever its player count:
// the node binary's code pages its hot paths touch, the young generation grown to its maximum, what V8's
// compiler threads leave in their allocator arenas.
//
//   node test/bench/profile/memory-per-player.mjs [--players 1000[,2000...]] [--settle 5000]
//   (npm run build first; the node runs with the fan-out bench's settings)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { makeBenchFlv, readFlvTags } from '../fanout/BenchMedia.mjs';
import { PacedPublisher } from '../fanout/PacedPublisher.mjs';
import { killSpawnedOnExit, SERVERS } from '../fanout/ServersUnderTest.mjs';
import { broadcast, request } from '../fanout/WorkerCommands.mjs';

const { values: cli } = parseArgs({ options: { players: { type: 'string', default: '1000' }, settle: { type: 'string', default: '5000' } }, strict: true });
const STAGES = cli.players.split(',').map(Number);
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

/** The node's growth from one snapshot to the next, per player added. */
function printGrowth(from, to, target) {
  const added = to.players - from.players;
  const [a, b] = [from.snap, to.snap];
  const perPlayer = (x, y) => Math.round((y - x) / added);
  const kb = (bytes) => Math.round(bytes / 1024);
  const rows = [
    ['RSS', a.rssKb * 1024, b.rssKb * 1024],
    ['V8 heap committed', a.usage.heapTotal, b.usage.heapTotal],
    ['V8 heap used, live', a.usage.heapUsed, b.usage.heapUsed],
    ['V8 heap used, with garbage', a.beforeGc.heapUsed, b.beforeGc.heapUsed],
    ['external (Buffers), live', a.usage.external, b.usage.external],
    ['external, with garbage', a.beforeGc.external, b.beforeGc.external],
    ...Object.keys(b.spaces).filter((s) => b.spaces[s].committed > 0).map((s) => [`  ${s} committed`, a.spaces[s]?.committed ?? 0, b.spaces[s].committed]),
  ];
  const rest = b.rssKb * 1024 - a.rssKb * 1024 - (b.usage.heapTotal - a.usage.heapTotal) - (b.usage.external - a.usage.external);
  console.log(`\n${to.players} of ${target} players playing (${added} added), node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`${'what'.padEnd(34)} ${from.label.padStart(14)} KB ${to.label.padStart(14)} KB   bytes per player added`);
  for (const [what, x, y] of rows) console.log(`${what.padEnd(34)} ${String(kb(x)).padStart(17)} ${String(kb(y)).padStart(17)} ${String(perPlayer(x, y)).padStart(24)}`);
  console.log(`${'RSS not in heap/external'.padEnd(34)} ${''.padStart(17)} ${''.padStart(17)} ${String(Math.round(rest / added)).padStart(24)}`);
}

const publisher = new PacedPublisher({ port: server.port, app: 'live', stream: 'bench', media: await readFlvTags(await makeBenchFlv(10)) });
await publisher.start();
await sleep(3000);
const idle = await snapshot();
const workers = [0, 1].map(() => new Worker(new URL('../fanout/player-worker.mjs', import.meta.url), { workerData: { port: server.port, app: 'live', stream: 'bench' } }));
try {
  let previous = { label: 'idle', snap: idle, players: 0 };
  for (const target of STAGES) {
    const add = [...Array(target - previous.players).keys()].map((i) => previous.players + i);
    await Promise.all(workers.map((w, k) => request(w, { cmd: 'start', indices: add.filter((i) => i % 2 === k), rampPerSec: 250 })));
    let playing = 0;
    for (let i = 0; i < 60 && playing < target; i++) {
      await sleep(1000);
      playing = (await broadcast(workers, { cmd: 'status' })).reduce((n, s) => n + s.playing, 0);
    }
    await sleep(Number(cli.settle));
    const snap = await snapshot();
    printGrowth(previous, { label: `${playing} players`, snap, players: playing }, target);
    previous = { label: `${playing} players`, snap, players: playing };
  }
} finally {
  for (const w of workers) await w.terminate();
  publisher.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

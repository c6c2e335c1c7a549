// LL-HLS benchmark: one node (the shipped executable, all-in-one: the HLS path is the edge's, without the
// relay) with a 720p30 2.1 Mbit/s stream published by ffmpeg, and N LL-HLS clients in two client processes,
// each doing what hls.js does at the live edge: a blocking reload for the next part and the hinted part.
// Prints the node's CPU and memory with the publisher alone and with the clients, and what the clients got.
//
//   npm run bench:hls                # 1000 clients
//   HLS_CLIENTS=200 HLS_SECONDS=10 npm run bench:hls
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeCpuSeconds, treeRssBytes } from '../fanout/ProcessStats.mjs';
import { sleep, startHlsBenchNode } from './HlsBenchNode.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENTS = Number(process.env.HLS_CLIENTS ?? 1000);
const SECONDS = Number(process.env.HLS_SECONDS ?? 20);
const WORKERS = 2;
const children = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function cleanup() {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));



/** CPU (share of one core) and RSS of `pid` over `seconds`. */
async function measure(pid, seconds) {
  const c0 = treeCpuSeconds(pid);
  const t0 = Date.now();
  let rssMax = 0;
  for (let i = 0; i < seconds * 4; i++) {
    await sleep(250);
    rssMax = Math.max(rssMax, treeRssBytes(pid));
  }
  const cpu = (treeCpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000);
  return { cpu, rssMax, rss: treeRssBytes(pid) };
}

const mb = (b) => (b / 1024 / 1024).toFixed(1);

async function main() {
  const node = await startHlsBenchNode({
    RTMPC_MAX_CONNECTIONS_PER_IP: '100000',
    RTMPC_CONN_RATE_PER_IP: '100000',
    RTMPC_CONN_BURST_PER_IP: '100000',
  });
  const base = node.playlist.replace(/index\.m3u8$/, '');

  const idle = await measure(node.pid, 5);
  console.log(`node with the publisher only: CPU ${(idle.cpu * 100).toFixed(1)}% of a core, RSS ${mb(idle.rss)} MiB`);

  const reports = new Map();
  const workers = [];
  for (let w = 0; w < WORKERS; w++) {
    const n = Math.floor(CLIENTS / WORKERS) + (w < CLIENTS % WORKERS ? 1 : 0);
    const worker = track(fork(path.join(HERE, 'llhls-client-worker.mjs'), [base, String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    worker.on('message', (m) => reports.set(w, m));
    workers.push(worker);
  }
  const sum = () => {
    const t = { playlists: 0, parts: 0, bytes: 0, errors: 0, playlistWaitMs: 0, lastError: '' };
    for (const r of reports.values()) {
      for (const k of ['playlists', 'parts', 'bytes', 'errors', 'playlistWaitMs']) t[k] += r[k];
      if (r.lastError) t.lastError = r.lastError;
    }
    return t;
  };
  await sleep(5000); // clients arrive over 2 s and settle
  const before = sum();
  const t0 = Date.now();
  const clientCpu0 = workers.reduce((s, w) => s + treeCpuSeconds(w.pid), 0);
  const loaded = await measure(node.pid, SECONDS);
  const after = sum();
  const wall = (Date.now() - t0) / 1000;
  const clientCpu = (workers.reduce((s, w) => s + treeCpuSeconds(w.pid), 0) - clientCpu0) / wall;
  const [load1] = os.loadavg();
  for (const w of workers) w.send('stop');
  await sleep(500);

  const playlists = (after.playlists - before.playlists) / wall;
  const parts = (after.parts - before.parts) / wall;
  const mbit = ((after.bytes - before.bytes) * 8) / wall / 1e6;
  const wait = (after.playlistWaitMs - before.playlistWaitMs) / Math.max(1, after.playlists - before.playlists);
  console.log(`${CLIENTS} LL-HLS clients (blocking reload + hinted part each), ${wall.toFixed(0)} s:`);
  console.log(`  node CPU ${(loaded.cpu * 100).toFixed(1)}% of a core (${((loaded.cpu - idle.cpu) * 100).toFixed(1)}% over the publisher alone), RSS ${mb(loaded.rss)} MiB (max ${mb(loaded.rssMax)}, +${mb(loaded.rssMax - idle.rss)} over idle)`);
  console.log(`  served ${playlists.toFixed(0)} blocking playlists/s and ${parts.toFixed(0)} parts/s, ${mbit.toFixed(0)} Mbit/s of media; ${(mbit / CLIENTS).toFixed(2)} Mbit/s per client (stream ~2.1)`);
  console.log(`  mean wait per part (reload + part): ${wait.toFixed(0)} ms (part target 200 ms); errors ${after.errors - before.errors}${after.lastError ? ` (last: ${after.lastError})` : ''}`);
  console.log(`  client processes CPU ${(clientCpu * 100).toFixed(0)}% of a core; machine load average ${load1.toFixed(1)} on ${os.cpus().length} cores (above the core count, every figure here is starved)`);
  console.log(`  CPU per delivered Gbit: ${(((loaded.cpu - idle.cpu) * 1000) / Math.max(1, mbit)).toFixed(2)} cores`);
  await node.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

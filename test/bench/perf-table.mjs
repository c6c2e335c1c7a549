// Renders the README's performance tables from the committed benchmark results (bench/results/*.json) and,
// run as a script (npm run docs:perf), rewrites them in README.md between their markers. test/docs checks
// that the README holds exactly what the committed files render to.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from './BenchResults.mjs';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

/** Every committed result document of one benchmark, oldest first. */
export function loadResults(bench, dir = RESULTS_DIR) {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${bench}-`) && f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...JSON.parse(readFileSync(path.join(dir, f), 'utf8')) }));
}

function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function num(n, digits = 0) {
  if (!Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function conditions(doc) {
  const m = doc.machine;
  const load = m.loadAtStart[0];
  const busy = load > m.cores ? `, **machine loaded** (load ${num(load, 1)} on ${m.cores} cores)` : `, load ${num(load, 1)}`;
  const pinned = typeof doc.settings?.cpus === 'object' ? `, server on CPU ${doc.settings.cpus.server}, load generator on CPU ${doc.settings.cpus.loadGenerator}` : '';
  return `${doc.at.slice(0, 10)}, ${m.cores} cores, ${m.kernel}, node ${m.node}${busy}${pinned}`;
}

/** The node's own send-latency p99 (median over rounds): recorded since 2026-12-05, for rtmp-cluster only. */
function nodeP99(runs) {
  const p99 = runs.map((r) => r.nodeSendLatency?.p99Ms).filter(Number.isFinite);
  return p99.length ? `${num(median(p99), 0)} ms` : '-';
}

/** The fan-out table: one row per run and server, medians over its alternated rounds. */
export function renderFanoutTable(docs) {
  const lines = [
    "| run (bench/results/) | conditions | players | server | rounds | CPU-s per Gbit (median, range) | vs nginx-rtmp | latency p50 / p99 | node's own p99 | RSS per player | behind |",
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const doc of docs) {
    const byServer = Map.groupBy(doc.results.filter((r) => !r.skipped && !r.failed), (r) => r.server);
    const nginxCpu = median((byServer.get('nginx') ?? []).map((r) => r.cpuPerGbit));
    for (const [server, runs] of byServer) {
      const cpu = runs.map((r) => r.cpuPerGbit);
      const cpuMed = median(cpu);
      lines.push(
        `| ${doc.file} | ${conditions(doc)} | ${num(doc.settings.players)} | ${runs[0].name} | ${runs.length} | ` +
          `${num(cpuMed, 2)} (${num(Math.min(...cpu), 2)}-${num(Math.max(...cpu), 2)}) | ${server === 'nginx' || !Number.isFinite(nginxCpu) ? '' : `${num(cpuMed / nginxCpu, 2)}x`} | ` +
          `${num(median(runs.map((r) => r.latP50)), 0)} / ${num(median(runs.map((r) => r.latP99)), 0)} ms | ${nodeP99(runs)} | ${num(median(runs.map((r) => r.rssPerPlayerKb)), 0)} KB | ` +
          `${Math.max(...runs.map((r) => r.behind))} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** issue 15's goals for one browser viewer, every run: first frame and delay behind live, ms */
export const WEB_BROWSER_GOALS = { flv: { firstFrameMs: 300, behindLiveMs: 500 }, 'ws-flv': { firstFrameMs: 300, behindLiveMs: 500 }, hls: { firstFrameMs: 500, behindLiveMs: 1000 } };

function msRange(values) {
  const v = values.filter(Number.isFinite);
  return v.length ? `${num(Math.min(...v))}-${num(Math.max(...v))}` : '-';
}

/** The browser table (bench:web-browser): one row per run and viewer kind, ranges over its alternated rounds. */
export function renderWebBrowserTable(docs) {
  const lines = [
    '| run (bench/results/) | conditions | server | player | runs | first frame ms | behind live ms | worst frame behind ms | stalls | within the goal in every run: first frame / behind live |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const doc of docs) {
    const byLabel = Map.groupBy(doc.results, (r) => r.label);
    for (const runs of byLabel.values()) {
      const { server, kind, playerConfig } = runs[0];
      const goal = WEB_BROWSER_GOALS[kind];
      const every = (key, limit) => (runs.every((r) => r[key] !== null && r[key] <= limit) ? 'yes' : 'no');
      const player = `${kind === 'hls' ? `LL-HLS (hls.js, target ${runs[0].hlsConfig?.liveSyncDuration ?? '?'} s behind live)` : `${kind === 'flv' ? 'HTTP-FLV' : 'WS-FLV'} (mpegts.js)`}${Object.keys(playerConfig ?? {}).length ? ` ${JSON.stringify(playerConfig).replace(/\|/g, '\\|')}` : ''}`;
      lines.push(
        `| ${doc.file} | ${conditions(doc)} | ${server} | ${player} | ${runs.length} | ${msRange(runs.map((r) => r.firstFrameMs))} | ${msRange(runs.map((r) => r.behindLiveMs))} | ` +
          `${msRange(runs.map((r) => r.behindLiveMaxMs))} | ${runs.reduce((a, r) => a + r.stalls, 0)} | ${every('firstFrameMs', goal.firstFrameMs)} / ${every('behindLiveMs', goal.behindLiveMs)} (<= ${goal.firstFrameMs} / ${goal.behindLiveMs} ms) |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The cluster table: per run with a peer, one row per origin -> edge pair (ours, nginx-rtmp): the cold edge's
 * first frame, and over the alternated rounds the median added latency per hop, publisher -> edge players, and
 * the edge's CPU per Gbit. Runs before 2026-12-05 09:00 timed one latency player among the edge's (wherever its
 * connect put it in the fan-out), later ones every load player; the column says which.
 */
function endToEnd(runs) {
  if (runs.some((r) => r.edgeLatency === undefined)) return 'not recorded';
  const who = runs[0].loadgenLagP99Ms === undefined ? 'one player' : 'every player';
  return `${num(median(runs.map((r) => r.edgeLatency.p50)), 1)} / ${num(median(runs.map((r) => r.edgeLatency.p99)), 1)} ms (${who})`;
}

export function renderClusterTable(docs) {
  const lines = [
    '| run (bench/results/) | conditions | edge players | pair | rounds | cold edge first frame p50 / max | added per hop p50 / p99 (median) | publisher -> edge players p50 / p99 (median) | edge CPU-s per Gbit (median, range) | vs nginx-rtmp |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const doc of docs) {
    const peer = doc.peer;
    if (!peer || peer.skipped) continue;
    const rounds = (server) => peer.rounds.filter((r) => r.server === server);
    const nginxCpu = median(rounds('nginx').map((r) => r.edgeCpuPerGbit));
    const cold = { ours: doc.firstFrameMs.coldEdge, nginx: peer.coldFirstFrameMs };
    for (const [server, label] of [['ours', 'rtmp-cluster'], ['nginx', 'nginx-rtmp']]) {
      const runs = rounds(server);
      if (runs.length === 0) continue;
      const cpu = runs.map((r) => r.edgeCpuPerGbit);
      const cpuMed = median(cpu);
      lines.push(
        `| ${doc.file} | ${conditions(doc)} | ${num(peer.edgePlayers)} | ${label} | ${runs.length} | ${num(cold[server].p50, 0)} / ${num(cold[server].max, 0)} ms | ` +
          `${num(median(runs.map((r) => r.hop.p50)), 1)} / ${num(median(runs.map((r) => r.hop.p99)), 1)} ms | ` +
          `${endToEnd(runs)} | ` +
          `${num(cpuMed, 2)} (${num(Math.min(...cpu), 2)}-${num(Math.max(...cpu), 2)}) | ${server === 'nginx' || !Number.isFinite(nginxCpu) ? '' : `${num(cpuMed / nginxCpu, 2)}x`} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export const PERF_BLOCKS = {
  'perf-fanout': () => renderFanoutTable(loadResults('fanout')),
  'perf-web-browser': () => renderWebBrowserTable(loadResults('web-browser')),
  'perf-cluster': () => renderClusterTable(loadResults('cluster')),
};

/** README with every generated block replaced by what the committed results render to. */
export function rewritePerfTables(readme, blocks = PERF_BLOCKS) {
  let out = readme;
  for (const [name, render] of Object.entries(blocks)) {
    const begin = new RegExp(`(<!-- ${name}:begin[^\\n]*-->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!begin.test(out)) throw new Error(`README has no ${name}:begin ... ${name}:end markers`);
    out = out.replace(begin, (_m, open, close) => `${open}${render()}${close}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README, 'utf8');
  const next = rewritePerfTables(readme);
  if (next !== readme) writeFileSync(README, next);
  process.stderr.write(next === readme ? 'README performance tables already up to date\n' : 'README performance tables rewritten\n');
}

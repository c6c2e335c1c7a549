// First frame and how far behind live one browser viewer plays, in Debian's Chromium: HTTP-FLV and WS-FLV
// through mpegts.js, LL-HLS through hls.js, each with the configuration of the node's /play page
// (packages/web/src/player/PlayerConfig.ts), against rtmp-cluster all-in-one and node-media-server 4 serving
// the same bench stream (720p30 ~2.2 Mbit/s, GOP 1 s, one real-time publisher per server) in the same run.
// Viewers take turns (ours FLV, NMS FLV, ours WS-FLV, ...) for --rounds rounds, a new tab each, so a change
// in machine load lands on every kind. How the page measures: test/bench/browser/BrowserBench.mjs.
//
//   npm run bench:web-browser [-- --rounds 4 --kinds flv,ws-flv,hls --servers ours,nms --settle 8000]
//   ... --ours-env RTMPC_HLS_PART_HOLD_BACK=3      another rtmp-cluster node with these settings, in the same turns
//   ... --flv-config '{"liveBufferLatencyMaxLatency":0.8}'   FLV viewers also with this mpegts.js config
//   ... --hls-config '{"liveSyncDuration":0.6}'              LL-HLS viewers also with this hls.js config
//   ... --no-record                                        print, do not write bench/results/
//
// Prints a table on stderr and the JSON document on stdout; writes it to bench/results/web-browser-*.json.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FLV_PLAYER_CONFIG, hlsPlayerConfig } from '../../../packages/web/dist/index.js';
import { describeMachine, recordResult } from '../BenchResults.mjs';
import { makeBenchFlv, readFlvTags } from '../fanout/BenchMedia.mjs';
import { nowMs } from '../fanout/BenchRtmpClient.mjs';
import { PacedPublisher } from '../fanout/PacedPublisher.mjs';
import { freePort, killSpawnedOnExit, SERVERS } from '../fanout/ServersUnderTest.mjs';
import { launchBenchBrowser, measureViewer, range, serveBenchPage, summarise } from './BrowserBench.mjs';

const { values: cli } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    kinds: { type: 'string', default: 'flv,ws-flv,hls' },
    servers: { type: 'string', default: 'ours,nms' },
    settle: { type: 'string', default: '8000' },
    'ours-env': { type: 'string', multiple: true, default: [] },
    'flv-config': { type: 'string', multiple: true, default: [] },
    'hls-config': { type: 'string', multiple: true, default: [] },
    'no-record': { type: 'boolean', default: false },
  },
  strict: true,
});
const ROUNDS = Number(cli.rounds);
const SETTLE_MS = Number(cli.settle);
const KINDS = cli.kinds.split(',').filter(Boolean);
const STREAM = 'bench';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

killSpawnedOnExit();

/** 'A=1,B=2' -> { A: '1', B: '2' } */
const parseEnv = (s) => Object.fromEntries(s.split(',').map((kv) => kv.split('=')));

/** One server process with its publisher: where its FLV and LL-HLS are, and when timestamp 0 was due. */
async function startServer(name, env, media, dir) {
  const webPort = await freePort();
  const server = name === 'node-media-server' ? await SERVERS.nms.start(dir, { httpPort: webPort }) : await SERVERS.ours.start(dir, { ...env, RTMPC_WEB_PORT: String(webPort) });
  const publisher = new PacedPublisher({ port: server.port, app: 'live', stream: STREAM, media });
  await publisher.start();
  const publisherEpochMs = Date.now() - (nowMs() - publisher.startedAt);
  const origin = `http://127.0.0.1:${webPort}`;
  return { name, env, server, publisher, publisherEpochMs, origin, flv: `${origin}/live/${STREAM}.flv`, hls: `${origin}/live/${STREAM}/index.m3u8` };
}

async function main() {
  const machine = describeMachine();
  const media = await readFlvTags(await makeBenchFlv(10));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-web-browser-'));
  const servers = [];
  const chromium = await launchBenchBrowser();
  const rows = [];
  try {
    const names = cli.servers.split(',').filter(Boolean);
    for (const name of names) {
      if (name === 'ours') servers.push(await startServer('rtmp-cluster', {}, media, dir));
      else if (name === 'nms') servers.push(await startServer('node-media-server', {}, media, dir));
      else throw new RangeError(`unknown server ${name}`);
    }
    for (const e of cli['ours-env']) servers.push(await startServer(`rtmp-cluster ${e}`, parseEnv(e), media, dir));
    // every server has a GOP or more and (ours) a muxed LL-HLS stream before the first viewer
    await sleep(3500);
    for (const s of servers) {
      if (s.name === 'node-media-server' || !KINDS.includes('hls')) continue;
      // hls.js gets what the /play page of this node would give it: a config from the playlist's timing
      const text = await fetch(`${s.hls}?session=benchwarmup1`).then((r) => r.text());
      const attr = (name) => Number(new RegExp(`${name}=([0-9.]+)`).exec(text)?.[1]);
      s.hlsTiming = { partTargetSeconds: attr('PART-TARGET'), partHoldBackSeconds: attr('PART-HOLD-BACK') };
      // The stream stays muxed while the FLV viewers take their turns, as for a stream that has LL-HLS viewers
      // (a node stops muxing a stream nobody asked for in 30 s; the first viewer after that is not measured here).
      s.keepWarm = setInterval(() => fetch(`${s.hls}?session=benchwarmup1`).then((r) => r.text()).catch(() => undefined), 5000);
    }
    const page = await serveBenchPage(servers.find((s) => s.name !== 'node-media-server')?.origin ?? servers[0].origin);
    const viewers = [];
    for (const kind of KINDS) {
      const configs = kind === 'hls' ? [{}, ...cli['hls-config'].map((c) => JSON.parse(c))] : [{}, ...cli['flv-config'].map((c) => JSON.parse(c))];
      for (const extra of configs) {
        for (const s of servers) {
          if (kind === 'hls' && s.name === 'node-media-server') continue; // NMS has no LL-HLS
          const base = kind === 'hls' ? hlsPlayerConfig(s.hlsTiming) : FLV_PLAYER_CONFIG;
          const url = kind === 'hls' ? s.hls : kind === 'ws-flv' ? s.flv.replace(/^http/, 'ws') : s.flv;
          const label = `${s.name} ${kind}${Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : ''}`;
          viewers.push({ label, server: s, kind, url, config: { ...base, ...extra }, extra });
        }
      }
    }
    try {
      console.error(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores; ${viewers.length} viewer kinds x ${ROUNDS} rounds`);
      // Chromium's first player of a session pays for loading its media stack: one unrecorded viewer first
      await measureViewer(chromium.browser, page.url, { kind: viewers[0].kind, url: viewers[0].url, config: viewers[0].config, publisherEpochMs: viewers[0].server.publisherEpochMs, settleMs: 2000 });
      for (let round = 1; round <= ROUNDS; round++) {
        for (const v of viewers) {
          const f = summarise(await measureViewer(chromium.browser, page.url, { kind: v.kind, url: v.url, config: v.config, publisherEpochMs: v.server.publisherEpochMs, settleMs: SETTLE_MS }));
          const row = { label: v.label, server: v.server.name, kind: v.kind, playerConfig: v.extra, ...(v.kind === 'hls' ? { hlsConfig: v.config } : {}), round, load1: Math.round(os.loadavg()[0] * 10) / 10, ...f };
          rows.push(row);
          console.error(`  ${round} ${v.label}: first frame ${f.firstFrameMs} ms, behind live ${f.behindLiveMs} ms (max ${f.behindLiveMaxMs}, at first frame ${f.behindAtFirstFrameMs}), buffered ${f.bufferedAheadMs} ms, ${f.frames} frames, ${f.stalls} stalls${f.errors.length ? `, errors ${f.errors.join('; ')}` : ''}`);
        }
      }
    } finally {
      page.close();
    }
  } finally {
    await chromium.close();
    for (const s of servers) {
      clearInterval(s.keepWarm);
      s.publisher.stop();
      await s.server.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const labels = [...new Set(rows.map((r) => r.label))];
  console.error('\nviewer | runs | first frame ms | behind live ms (median of last 2 s) | worst frame behind ms | stalls');
  for (const l of labels) {
    const rs = rows.filter((r) => r.label === l);
    console.error(`${l} | ${rs.length} | ${range(rs.map((r) => r.firstFrameMs))} | ${range(rs.map((r) => r.behindLiveMs))} | ${range(rs.map((r) => r.behindLiveMaxMs))} | ${rs.reduce((a, r) => a + r.stalls, 0)}`);
  }
  const doc = {
    machine,
    loadAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    settings: { rounds: ROUNDS, settleMs: SETTLE_MS, kinds: KINDS, flvPlayerConfig: FLV_PLAYER_CONFIG, oursEnv: cli['ours-env'] },
    results: rows,
  };
  if (cli['no-record']) process.stdout.write(`${JSON.stringify(doc)}\n`);
  else recordResult('web-browser', doc);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

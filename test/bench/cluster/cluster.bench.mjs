// Cluster benchmark: how fast an edge serves a stream it does not relay yet, how fast it re-pulls after
// the origin dies, and what one relay hop adds to latency; then, alternated with nginx-rtmp's origin -> edge
// pair (A B A B, --peer-rounds), the added latency per hop and the edge's CPU per delivered Gbit with
// --edge-players players, and nginx-rtmp's cold-edge first frame. Real processes on 127.0.0.1: redis-server,
// nats-server, two origins and one edge (packages/node/bundle/cli.js), one real-time ~2 Mbit/s publisher
// (1280x720 30 fps H.264 CBR + AAC, GOP 1 s, made by ffmpeg) and light players, all in this process so
// publisher and players share one monotonic clock. Prints numbers next to the targets (stderr) and one JSON
// document (stdout, and bench/results/ with the machine and its load unless --no-record); never fails on them.
//
//   npm run bench:cluster [-- --runs 10 --latency-seconds 10 --repulls 3 --lease-ms 1500 --node-ttl-ms 2000 --relay-idle-ms 250 --merge-window-ms N --edge-merge-window-ms N
//                            --peer-rounds 2 --edge-players 100 --peer-seconds 10 --no-peer --keep-logs]
//
// Runs on compiled packages (Node 20 cannot strip TypeScript types): the npm script builds first.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NatsEventBus } from '@rtmp-cluster/events';
import { defaultConfig } from 'rtmp-cluster';
import { makeBenchFlv, readFlvTags } from '../fanout/BenchMedia.mjs';
import { killSpawned, SERVERS } from '../fanout/ServersUnderTest.mjs';
import { coldFirstFrames, hopLatency, measurePair, startNginxPair } from './PeerComparison.mjs';
import { nowMs } from '../fanout/BenchRtmpClient.mjs';
import { PacedPublisher } from '../fanout/PacedPublisher.mjs';
import { ClusterUnderTest } from './ClusterUnderTest.mjs';
import { ms, summarize } from './Distribution.mjs';
import { TimedPlayer } from './TimedPlayer.mjs';
import { describeMachine, recordResult } from '../BenchResults.mjs';

const { values: cli } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' }, // first-frame samples per case
    'latency-seconds': { type: 'string', default: '10' },
    repulls: { type: 'string', default: '3' },
    // A dead origin's claim blocks the stream until its lease OR its node record lapses (whichever first).
    'lease-ms': { type: 'string', default: '1500' }, // RTMPC_LEASE_MS
    'node-ttl-ms': { type: 'string', default: '2000' }, // RTMPC_NODE_TTL_MS (heartbeat every quarter of it)
    'relay-idle-ms': { type: 'string', default: '250' }, // RTMPC_RELAY_IDLE_MS: edge relay teardown after the last player
    'merge-window-ms': { type: 'string' }, // RTMPC_MERGE_WINDOW_MS on every node; default: the node's default
    'edge-merge-window-ms': { type: 'string' }, // the edge's own RTMPC_MERGE_WINDOW_MS; default: --merge-window-ms
    'peer-rounds': { type: 'string', default: '2' }, // A B A B rounds of ours and nginx-rtmp's origin -> edge pair
    'edge-players': { type: 'string', default: '100' }, // players on the edge while its CPU is measured
    'peer-seconds': { type: 'string', default: '10' }, // measuring window of each round
    'no-peer': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
  strict: true,
});
const RUNS = Number(cli.runs);
const LATENCY_MS = Number(cli['latency-seconds']) * 1000;
const REPULLS = Number(cli.repulls);
const LEASE_MS = Number(cli['lease-ms']);
const NODE_TTL_MS = Number(cli['node-ttl-ms']);
const RELAY_IDLE_MS = Number(cli['relay-idle-ms']);
const MERGE_WINDOW_MS = Number(cli['merge-window-ms'] ?? defaultConfig('bench').mergeWindowMs);
const EDGE_MERGE_WINDOW_MS = Number(cli['edge-merge-window-ms'] ?? MERGE_WINDOW_MS);
const PEER_ROUNDS = cli['no-peer'] ? 0 : Number(cli['peer-rounds']);
const EDGE_PLAYERS = Number(cli['edge-players']);
const PEER_SECONDS = Number(cli['peer-seconds']);
for (const [k, v] of Object.entries({ RUNS, LATENCY_MS, REPULLS, LEASE_MS, NODE_TTL_MS, RELAY_IDLE_MS, MERGE_WINDOW_MS, EDGE_MERGE_WINDOW_MS, PEER_ROUNDS, EDGE_PLAYERS, PEER_SECONDS })) {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${k} must be a number >= 0`);
}

const TARGET = { coldFirstFrameMs: 300, repullMs: 1000, hopP99Ms: 30 };
const APP = 'live';
const STREAM = 'main';
const KEY = `${APP}/${STREAM}`;
/** CachedStreamLocator's default TTL is 2000 ms: spacing cold plays past it makes each one ask Redis. */
const COLD_SPACING_MS = 2100;
const PUBLISHER_WARMUP_MS = 2500;
const FIRST_FRAME_TIMEOUT_MS = 5000;

const sleep = (ms_) => new Promise((r) => setTimeout(r, ms_));
const log = (line = '') => process.stderr.write(`${line}\n`);
const verdict = (ok) => (ok ? 'met' : 'MISSED');

const work = mkdtempSync(path.join(os.tmpdir(), 'rtmpc-bench-cluster-'));
const cluster = new ClusterUnderTest({
  workDir: work,
  keepLogs: cli['keep-logs'],
  nodeEnv: {
    RTMPC_RELAY_TOKEN: 'bench-relay-token',
    RTMPC_LOG_LEVEL: 'info',
    RTMPC_CHUNK_SIZE: '4096',
    RTMPC_LEASE_MS: String(LEASE_MS),
    RTMPC_NODE_TTL_MS: String(NODE_TTL_MS),
    RTMPC_HEARTBEAT_MS: String(Math.max(100, Math.floor(NODE_TTL_MS / 4))),
    RTMPC_RELAY_IDLE_MS: String(RELAY_IDLE_MS),
    RTMPC_MERGE_WINDOW_MS: String(MERGE_WINDOW_MS),
    RTMPC_DRAIN_TIMEOUT_MS: '1000',
    // every bench player comes from 127.0.0.1: lift the per-address abuse limits (nginx-rtmp has none), or the
    // edge refuses most of --edge-players at connect
    RTMPC_CONN_RATE_PER_IP: '0',
    RTMPC_MAX_CONNECTIONS_PER_IP: '1000000',
    RTMPC_MAX_CONNECTIONS: '1000000',
  },
});
const openClients = new Set(); // players and publishers, closed at exit
let watcher = null;
let cleanedUp = false;

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const c of openClients) c.close();
  await watcher?.close().catch(() => {});
  await cluster.stopAll().catch(() => {});
  killSpawned();
  if (!cli['keep-logs']) rmSync(work, { recursive: true, force: true });
}
process.on('exit', killSpawned);
process.on('SIGINT', () => {
  killSpawned();
  if (!cli['keep-logs']) rmSync(work, { recursive: true, force: true });
  process.exit(130);
});

function player(port) {
  const p = new TimedPlayer({ port, app: APP, stream: STREAM });
  openClients.add(p);
  return p;
}

function publisher(port, media) {
  const p = new PacedPublisher({ port, app: APP, stream: STREAM, media });
  openClients.add({ close: () => p.stop() });
  return p;
}

/** One player: connect, play, first video frame; returns [first video message, first frame] ms after connect. */
async function firstFrame(port) {
  const p = player(port);
  try {
    await p.start();
    await p.until(() => p.firstFrameAt > 0, FIRST_FRAME_TIMEOUT_MS, 'first video frame');
    return [p.firstVideoAt - p.connectStartedAt, p.firstFrameAt - p.connectStartedAt];
  } finally {
    p.close();
    openClients.delete(p);
  }
}

function printFirstFrameRow(label, samples, target) {
  const msg = summarize(samples.map((s) => s[0]));
  const frame = summarize(samples.map((s) => s[1]));
  const judged = target === undefined ? '' : `   < ${target} ms: p50 ${verdict(frame.p50 < target)}, max ${verdict(frame.max < target)}`;
  log(`  ${label.padEnd(44)}${ms(msg.p50)}${ms(frame.p50)}${ms(frame.max)}${judged}`);
}

async function main() {
  const started = nowMs();
  const machine = describeMachine();
  log(`rtmp-cluster cluster benchmark: 2 origins + 1 edge (processes), redis-server, nats-server, 127.0.0.1; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
  const [file] = await Promise.all([makeBenchFlv(10), cluster.startInfra()]);
  const media = await readFlvTags(file);
  let [current, standby, edge] = await Promise.all([
    cluster.startNode('origin', 'origin-1'),
    cluster.startNode('origin', 'origin-2'),
    cluster.startNode('edge', 'edge-1', { RTMPC_MERGE_WINDOW_MS: String(EDGE_MERGE_WINDOW_MS) }),
  ]);
  let originsStarted = 2;
  const published = []; // stream.published events as seen by a watcher: { originId, epoch, at }
  watcher = await NatsEventBus.connect({ servers: cluster.natsUrl, nodeId: 'bench-watcher' });
  watcher.subscribe({ types: ['stream.published'], key: KEY }, (ev) => published.push({ originId: ev.originId, epoch: ev.epoch, at: nowMs() }));
  await watcher.flush();

  let pub = publisher(current.rtmpPort, media);
  await pub.start();
  log(`publisher: 1280x720 30 fps H.264 CBR 2000k + AAC 128k, GOP 1 s, real time, on ${current.id}; RTMPC_LEASE_MS=${LEASE_MS} RTMPC_NODE_TTL_MS=${NODE_TTL_MS} RTMPC_RELAY_IDLE_MS=${RELAY_IDLE_MS} RTMPC_MERGE_WINDOW_MS=${MERGE_WINDOW_MS} (edge ${EDGE_MERGE_WINDOW_MS})`);
  await sleep(PUBLISHER_WARMUP_MS);

  // ---- 3. latency per relay hop (measured first: the edge timeline is still the publisher's, no rebase yet)
  const direct = player(current.rtmpPort);
  const viaEdge = player(edge.rtmpPort);
  await Promise.all([direct.start(), viaEdge.start()]);
  await Promise.all([direct, viaEdge].map((p) => p.until(() => p.frames > 30, FIRST_FRAME_TIMEOUT_MS, 'latency player frames')));
  await sleep(1000); // past the join bursts (cached GOP)
  const windowStart = nowMs();
  await sleep(LATENCY_MS);
  const windowEnd = nowMs() - 500; // frames sent in the last 500 ms may still be in flight
  const { hop, earlierLatency: originLatency, laterLatency: edgeLatency, sent, missing } = hopLatency(pub, direct, viaEdge, windowStart, windowEnd);
  const latencyPublisherLateMs = pub.lateMs;
  direct.close();
  viaEdge.close();
  openClients.delete(direct);
  openClients.delete(viaEdge);
  const hopS = summarize(hop);

  // ---- 1. first frame: direct, cold edge, warm edge
  const directSamples = [];
  for (let i = 0; i < RUNS; i++) {
    directSamples.push(await firstFrame(current.rtmpPort));
    await sleep(100);
  }
  const relaysTornDown = () => edge.count('relay torn down') >= edge.count('relay created');
  const coldSamples = [];
  let coldReally = 0;
  let lastCold = 0;
  for (let i = 0; i < RUNS; i++) {
    await edge.waitUntil(relaysTornDown, RELAY_IDLE_MS + 5000, 'relay teardown');
    const wait = lastCold + COLD_SPACING_MS - nowMs();
    if (wait > 0) await sleep(wait);
    const createdBefore = edge.count('relay created');
    lastCold = nowMs();
    coldSamples.push(await firstFrame(edge.rtmpPort));
    // Proof that this play started a relay of its own (its log line may trail the frames a little).
    await edge.waitUntil(() => edge.count('relay created') > createdBefore, 2000, 'relay created').then(() => coldReally++, () => {});
  }
  const anchor = player(edge.rtmpPort); // keeps the edge relay running for warm plays, then rides the re-pulls
  await anchor.start();
  await anchor.until(() => anchor.frames > 30, FIRST_FRAME_TIMEOUT_MS, 'anchor frames');
  const createdBeforeWarm = edge.count('relay created');
  const warmSamples = [];
  for (let i = 0; i < RUNS; i++) {
    warmSamples.push(await firstFrame(edge.rtmpPort));
    await sleep(100);
  }
  const warmReused = edge.count('relay created') === createdBeforeWarm;

  // ---- 2. re-pull after the origin is SIGKILLed and the encoder moves to the other origin
  const rounds = [];
  for (let r = 0; r < REPULLS; r++) {
    await sleep(1000);
    const killedId = current.id;
    const from = anchor.frames;
    const tKill = nowMs();
    current.signal('SIGKILL');
    pub = publisher(standby.rtmpPort, media); // the encoder reconnects at once; the claim waits for the lease
    await pub.start();
    const tPublishStart = pub.startedAt;
    await anchor.until(() => anchor.frames > from && anchor.frameAt[anchor.frames - 1] > tPublishStart, 10_000, `frames via ${standby.id}`);
    let first = from;
    while (anchor.frameAt[first] <= tPublishStart) first++;
    const event = published.find((e) => e.originId === standby.id && e.at >= tKill);
    await anchor.until(() => anchor.frames >= first + 30, 5000, 'frames after the re-pull');
    rounds.push({
      from: killedId,
      to: standby.id,
      killToPublishStart: tPublishStart - tKill,
      eventToFrame: event ? anchor.frameAt[first] - event.at : NaN,
      publishStartToFrame: anchor.frameAt[first] - tPublishStart,
      gap: anchor.frameAt[first] - anchor.frameAt[first - 1],
      lastOldAfterKill: anchor.frameAt[first - 1] - tKill,
      keyframe: anchor.frameKey[first],
    });
    const next = standby;
    standby = r + 1 < REPULLS ? await cluster.startNode('origin', `origin-${++originsStarted}`) : null;
    current = next;
  }
  let backwards = 0;
  for (let i = 1; i < anchor.frames; i++) if (anchor.frameTs[i] < anchor.frameTs[i - 1]) backwards++;
  const anchorStatuses = anchor.statuses.join(',');
  const anchorConnected = !anchor.closed;
  anchor.close();
  openClients.delete(anchor);

  // ---- 4. the peer: nginx-rtmp origin -> edge, alternated with ours (A B A B)
  const peer = PEER_ROUNDS > 0 ? await comparePeer(media, pub, current, edge) : null;

  // ---- report
  log();
  log(`1. first frame, ${RUNS} plays each, ms from TCP connect to the first video message (AVC sequence header) / first video frame`);
  log(`  ${''.padEnd(44)}${'msg p50'.padStart(8)}${'frm p50'.padStart(8)}${'frm max'.padStart(8)}`);
  printFirstFrameRow('direct from origin', directSamples);
  printFirstFrameRow('edge, warm (relay running)', warmSamples);
  printFirstFrameRow('edge, cold (no relay; registry lookup)', coldSamples, TARGET.coldFirstFrameMs);
  log(`  cold samples in order: ${coldSamples.map((x) => x[1].toFixed(1)).join(' ')}`);
  log(`  cold plays that started a new relay: ${coldReally}/${RUNS}; warm plays reused the relay: ${warmReused ? 'yes' : 'NO'}`);
  log();
  log(`2. re-pull after SIGKILL of the origin, publisher moved to the other origin (target: first frame < ${TARGET.repullMs} ms after the publish event)`);
  log('  round  from -> to              kill->Publish.Start  event->frame  Publish.Start->frame  player gap  (last old frame after kill)');
  rounds.forEach((x, i) => {
    log(
      `  ${String(i + 1).padStart(5)}  ${`${x.from} -> ${x.to}`.padEnd(22)}${ms(x.killToPublishStart, 19)}${ms(x.eventToFrame, 14)}${ms(x.publishStartToFrame, 22)}${ms(x.gap, 12)}  (${x.lastOldAfterKill.toFixed(1)}${x.keyframe ? '' : ', first new frame NOT a keyframe'})`,
    );
  });
  const ev = summarize(rounds.map((x) => x.eventToFrame));
  const gap = summarize(rounds.map((x) => x.gap));
  log(`  p50: event->frame ${ev.p50.toFixed(1)} ms (max ${ev.max.toFixed(1)}; < ${TARGET.repullMs} ms: ${verdict(ev.max < TARGET.repullMs)}), player gap ${gap.p50.toFixed(1)} ms`);
  log(`  (the new origin takes the claim over at once when the dead origin's address refuses connections (RTMPC_TAKEOVER_DEAD_OWNER);`);
  log(`   otherwise the gap is the claim lapsing: min(RTMPC_LEASE_MS ${LEASE_MS}, RTMPC_NODE_TTL_MS ${NODE_TTL_MS}) after its last renewal)`);
  log(`  edge player stayed connected: ${anchorConnected ? 'yes' : 'NO'}; statuses ${anchorStatuses}; timestamps backwards: ${backwards}`);
  log();
  log(`3. latency, ${(LATENCY_MS / 1000).toFixed(0)} s window, ${sent} video frames sent, ${missing} not seen by both players`);
  log(`  ${''.padEnd(40)}${'p50'.padStart(8)}${'p99'.padStart(10)}${'max'.padStart(10)}`);
  const row = (label, s, extra = '') => log(`  ${label.padEnd(40)}${ms(s.p50, 8)}${ms(s.p99, 10)}${ms(s.max, 10)}${extra}`);
  row('added per relay hop (edge - origin)', hopS, `   p99 < ${TARGET.hopP99Ms} ms: ${verdict(hopS.p99 < TARGET.hopP99Ms)}`);
  row('publisher send -> player on origin', summarize(originLatency));
  row('publisher send -> player on edge', summarize(edgeLatency));
  log(`  publisher kept pace: worst send lateness ${latencyPublisherLateMs.toFixed(1)} ms`);
  log();
  if (peer !== null) printPeer(peer);
  log(`total ${((nowMs() - started) / 1000).toFixed(1)} s`);
  const firstFrames = (samples) => summarize(samples.map((x) => x[1]));
  const doc = {
    machine,
    settings: { runs: RUNS, latencyMs: LATENCY_MS, repulls: REPULLS, leaseMs: LEASE_MS, nodeTtlMs: NODE_TTL_MS, relayIdleMs: RELAY_IDLE_MS, mergeWindowMs: MERGE_WINDOW_MS, edgeMergeWindowMs: EDGE_MERGE_WINDOW_MS },
    firstFrameMs: { direct: firstFrames(directSamples), warmEdge: firstFrames(warmSamples), coldEdge: firstFrames(coldSamples), coldPlaysThatStartedARelay: coldReally },
    repull: { rounds, eventToFrame: ev, gap },
    latencyMs: { hop: hopS, origin: summarize(originLatency), edge: summarize(edgeLatency), framesSent: sent, framesMissing: missing, publisherLateMs: latencyPublisherLateMs },
    peer,
  };
  if (cli['no-record']) process.stdout.write(`${JSON.stringify({ bench: 'cluster', ...doc })}\n`);
  else recordResult('cluster', doc);
}

/**
 * nginx-rtmp's origin and pulling edge next to ours: its cold-edge first frame, then PEER_ROUNDS alternated
 * rounds of both pairs measuring the hop and the edge's CPU with EDGE_PLAYERS players. Both publishers run for
 * the whole comparison, so each round has the same background.
 */
async function comparePeer(media, ourPub, ourOrigin, ourEdge) {
  const why = SERVERS.nginx.available();
  if (why !== null) {
    log(`4. peer skipped: ${why}`);
    return { server: 'nginx', skipped: why };
  }
  const nginx = await startNginxPair(work);
  openClients.add({ close: () => void Promise.all([nginx.origin.stop(), nginx.edge.stop()]) });
  const nginxPub = publisher(nginx.origin.port, media);
  await nginxPub.start();
  await sleep(PUBLISHER_WARMUP_MS);
  const nginxCold = await coldFirstFrames(STREAM, nginx.edge.port, RUNS, COLD_SPACING_MS);
  const pairs = {
    ours: { pub: ourPub, originPort: ourOrigin.rtmpPort, edgePort: ourEdge.rtmpPort, edgePid: ourEdge.pid },
    nginx: { pub: nginxPub, originPort: nginx.origin.port, edgePort: nginx.edge.port, edgePid: nginx.edge.pid },
  };
  const rounds = [];
  for (let r = 1; r <= PEER_ROUNDS; r++) {
    for (const server of ['ours', 'nginx']) {
      const m = await measurePair({ stream: STREAM, ...pairs[server], players: EDGE_PLAYERS, seconds: PEER_SECONDS });
      rounds.push({ server, round: r, ...m });
      await sleep(RELAY_IDLE_MS + 500);
    }
  }
  nginxPub.stop();
  await Promise.all([nginx.origin.stop(), nginx.edge.stop()]);
  return { server: 'nginx', label: 'nginx-rtmp', edgePlayers: EDGE_PLAYERS, seconds: PEER_SECONDS, coldFirstFrameMs: nginxCold, rounds };
}

function printPeer(peer) {
  log();
  if (peer.skipped) return;
  log(`4. origin -> edge pairs alternated, ${peer.edgePlayers} players on the edge in worker threads, ${peer.seconds} s per round;`);
  log('   hop = edge probe - origin probe (both subscribed before the load: first in each fan-out cycle);');
  log('   e2e = publisher send -> every load player; loadgen lag = the load threads\' own event-loop p99');
  log(`  nginx-rtmp cold edge first frame: p50 ${peer.coldFirstFrameMs.p50.toFixed(1)} ms, max ${peer.coldFirstFrameMs.max.toFixed(1)} ms`);
  log(`  ${'round'.padEnd(6)}${'server'.padEnd(14)}${'hop p50'.padStart(9)}${'hop p99'.padStart(9)}${'e2e p50'.padStart(9)}${'e2e p99'.padStart(9)}${'loadgen lag'.padStart(13)}${'edge CPU-s/Gbit'.padStart(17)}${'Gbit'.padStart(8)}  closed`);
  for (const x of peer.rounds) {
    log(`  ${String(x.round).padEnd(6)}${(x.server === 'ours' ? 'rtmp-cluster' : 'nginx-rtmp').padEnd(14)}${ms(x.hop.p50, 9)}${ms(x.hop.p99, 9)}${ms(x.edgeLatency.p50, 9)}${ms(x.edgeLatency.p99, 9)}${ms(x.loadgenLagP99Ms, 13)}${x.edgeCpuPerGbit.toFixed(3).padStart(17)}${x.deliveredGbit.toFixed(2).padStart(8)}  ${x.playersClosed}`);
  }
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  exitCode = 1;
  process.stderr.write(`bench:cluster failed: ${err?.stack ?? err}\n`);
  for (const p of cluster.processes) if (p.role) process.stderr.write(`--- ${p.name} (last lines)\n${p.tail(8)}\n`);
} finally {
  await cleanup();
}
process.exit(exitCode);

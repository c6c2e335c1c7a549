/**
 * Socket-level fuzz of a running server (the built executable in a child process): thousands of hostile
 * sessions, at most CONCURRENCY at a time, while ffmpeg publishes and another ffmpeg plays a live stream.
 * The server runs with a memory budget and must stay up and ready, its resident memory must stay under its
 * baseline plus that budget, every hostile connection must be
 * gone afterwards, and the player must get the stream without a gap. FUZZ_RUNS scales the session count.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobePackets } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { metricValue, startChildNode, type ChildNode } from './support/childNode.js';
import { runHostileSession, type HostileSessionResult } from './support/hostileSessions.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);
// Whole sessions over real sockets run at a few hundred per second: a long `npm run fuzz` is capped so the
// run still finishes well inside TIME_CAP_MS.
const SESSIONS = Math.min(25_000, Math.max(300, Math.ceil(RUNS * 2.5)));
const CONCURRENCY = 20;
const LINGER_MS = 250;
/** the node's memory budget in this run: resident memory must stay under baseline + budget */
const MEMORY_BUDGET_MB = 128;
/** stop launching sessions after this long whatever FUZZ_RUNS says (the loop must end by itself) */
const TIME_CAP_MS = 120_000;
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

describe('fuzz: hostile sessions against a running server', () => {
  const procs = new ClientProcesses();
  let server: ChildNode;
  let tmp: string;
  let flv: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-fuzz-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    server = await startChildNode(procs, {
      RTMPC_HANDSHAKE_TIMEOUT_MS: '2000',
      RTMPC_IDLE_TIMEOUT_MS: '3000',
      RTMPC_PLAY_WAIT_MS: '1000',
      RTMPC_MEMORY_BUDGET_MB: String(MEMORY_BUDGET_MB),
      // Every fuzz session comes from 127.0.0.1: the per-address limits are tested elsewhere.
      RTMPC_MAX_CONNECTIONS_PER_IP: '100000',
      RTMPC_CONN_RATE_PER_IP: '0',
      RTMPC_LOG_LEVEL: 'error',
    });
  });

  afterAll(async () => {
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`survives ${SESSIONS} hostile sessions with bounded memory while a live stream plays without a gap`, async () => {
    const pub = ffmpegPublish(procs, flv, server.url('/live/good'), { loop: true, timeoutMs: 300_000 });
    await waitFor(async () => metricValue(await server.metrics(), 'rtmpc_streams_live') >= 1, 10_000, 'publisher live', 100);
    const out = path.join(tmp, 'player.flv');
    const player = procs.spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-rw_timeout', '15000000', '-i', server.url('/live/good'), '-c', 'copy', '-f', 'flv', '-y', out],
      { timeoutMs: 300_000 },
    );
    await waitFor(async () => fs.existsSync(out) && fs.statSync(out).size > 50_000, 10_000, 'player receiving', 100);
    const baseline = server.rssBytes();
    let peak = baseline;
    const sampler = setInterval(() => {
      if (server.alive()) peak = Math.max(peak, server.rssBytes());
    }, 200);
    const playerStartedAt = Date.now();

    const results: HostileSessionResult[] = [];
    let next = 0;
    const started = Date.now();
    const worker = async (): Promise<void> => {
      while (next < SESSIONS && Date.now() - started < TIME_CAP_MS) {
        const i = next++;
        results.push(await runHostileSession(server.rtmpPort, SEED + i, LINGER_MS));
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      clearInterval(sampler);
    }
    const fuzzMs = Date.now() - started;

    // Up and ready, and every hostile connection gone (handshake and idle timeouts included).
    expect(server.alive(), server.proc.stderr().slice(-3000)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${server.httpPort}/readyz`)).status).toBe(200);
    await waitFor(async () => metricValue(await server.metrics(), 'rtmpc_rtmp_connections') <= 2, 10_000, 'hostile connections closed', 100);
    const m = await server.metrics();
    const protocolErrors = metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'PROTOCOL_ERROR' });
    const closedTotal = metricValue(m, 'rtmpc_rtmp_connections_closed_total');
    const rssGrowth = peak - baseline;
    const kinds = new Map<string, number>();
    for (const r of results) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    console.log(
      `fuzz: ${results.length} sessions in ${fuzzMs} ms (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); ` +
        `closed by server ${results.filter((r) => r.closedByServer).length}; server closes ${closedTotal} (PROTOCOL_ERROR ${protocolErrors}); ` +
        `RSS ${Math.round(baseline / 1048576)} MB -> peak ${Math.round(peak / 1048576)} MB (budget ${MEMORY_BUDGET_MB} MB; ` +
        `closed by it ${metricValue(m, 'rtmpc_memory_budget_closes_total')})`,
    );
    expect(results.length).toBe(SESSIONS);
    expect(closedTotal).toBeGreaterThanOrEqual(SESSIONS);
    // Most mutations break the protocol somewhere and must have been caught as such.
    expect(protocolErrors).toBeGreaterThan(SESSIONS / 5);
    expect(rssGrowth).toBeLessThan(MEMORY_BUDGET_MB * 1024 * 1024);
    expect(pub.running(), pub.stderr().slice(-2000)).toBe(true);

    // The player got the live stream the whole time, without a gap.
    await new Promise((r) => setTimeout(r, 1000));
    const playedMs = Date.now() - playerStartedAt;
    const r = await player.stop(5000, 'SIGINT');
    expect(r.stderr).not.toMatch(/Server error|Connection reset|Input\/output error/);
    const { packets } = await ffprobePackets(procs, out, { outputLimit: 32 * 1024 * 1024 });
    const video = packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    expect(video.length).toBeGreaterThan(0);
    let maxGap = 0;
    for (let i = 1; i < video.length; i++) maxGap = Math.max(maxGap, video[i]! - video[i - 1]!);
    const span = video[video.length - 1]! - video[0]!;
    console.log(`fuzz: player got ${video.length} video packets over ${span.toFixed(1)} s (played ${playedMs} ms), largest DTS gap ${maxGap.toFixed(3)} s`);
    expect(maxGap).toBeLessThan(1);
    // 30 fps: every frame of the span arrived (a drop-to-keyframe would leave fewer), and the span kept up with the wall clock.
    expect(video.length).toBeGreaterThanOrEqual(Math.floor(span * 30 * 0.98));
    expect(span * 1000).toBeGreaterThan(playedMs * 0.8);
    await pub.stop();
  }, 300_000);
});

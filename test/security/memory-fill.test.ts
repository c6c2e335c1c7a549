/**
 * The memory-fill attack against the built executable with a small node-wide memory budget: connections that
 * raise their chunk size and send a large message minus its last byte. Reproduced on the original code as an
 * all-in-one going from 80 MB to 1.65 GB RSS with 200 such connections. Here:
 * - before a publish is allowed only command-sized messages are accepted: the 8 MB message is refused at
 *   its header (MESSAGE_TOO_LARGE), nothing is allocated for it;
 * - command-sized partial messages on many chunk streams, and 8 MB messages from accepted publishers, are
 *   held only as far as they arrived, and all connections together stay under the budget: the largest
 *   holders are closed (MEMORY_BUDGET), with a log line and a metric.
 * A real ffmpeg publisher and a real ffmpeg player run through all of it and lose nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobePackets } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { metricValue, startChildNode, type ChildNode } from './support/childNode.js';
import { handshakeOnly, sendAllButLastByte, sendManyPartials } from './support/memoryFill.js';
import { RawSession } from './support/rawSession.js';

const BUDGET_MB = 64;
const MB = 1024 * 1024;
const EIGHT_MB = 8 * MB;
/** measured: 240-300 MB over the budget at 1 GB/s of attack traffic over loopback */
const GC_SLACK_MB = 384;

describe('memory fill: partial messages of many connections stay under one node budget', () => {
  const procs = new ClientProcesses();
  let server: ChildNode;
  let flv: string;
  let tmp: string;
  let baseline = 0;
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  const body = Buffer.alloc(EIGHT_MB, 0x61);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-memfill-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    server = await startChildNode(procs, {
      RTMPC_MEMORY_BUDGET_MB: String(BUDGET_MB),
      // The attack comes from 127.0.0.1 like the real clients: the per-address limits are not what is tested.
      RTMPC_MAX_CONNECTIONS_PER_IP: '100000',
      RTMPC_CONN_RATE_PER_IP: '0',
    });
  });

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const growthMb = (): number => Math.round((peak - baseline) / MB);

  it('refuses the 8 MB message before publish, bounds what arrives after, and the live stream loses nothing', async () => {
    const pub = ffmpegPublish(procs, flv, server.url('/live/real'), { loop: true, timeoutMs: 300_000 });
    await waitFor(async () => metricValue(await server.metrics(), 'rtmpc_streams_live') >= 1, 10_000, 'publisher live', 100);
    const out = path.join(tmp, 'player.flv');
    const player = procs.spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-rw_timeout', '15000000', '-i', server.url('/live/real'), '-c', 'copy', '-f', 'flv', '-y', out],
      { timeoutMs: 300_000 },
    );
    await waitFor(async () => fs.existsSync(out) && fs.statSync(out).size > 50_000, 10_000, 'player receiving', 100);
    const playerStartedAt = Date.now();
    baseline = server.rssBytes();
    peak = baseline;
    sampler = setInterval(() => {
      if (server.alive()) peak = Math.max(peak, server.rssBytes());
    }, 50);

    // 1. The attack as reported: 200 connections that only finish the handshake, raise the chunk size and
    //    send an 8 MB message minus its last byte. Refused at the header: a command never needs 8 MB.
    const handshaken = await Promise.all(Array.from({ length: 200 }, () => handshakeOnly(server.rtmpPort)));
    for (const a of handshaken) sendAllButLastByte(a.socket, body, 0);
    await Promise.all(handshaken.map((a) => a.closed));
    let m = await server.metrics();
    expect(metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'PROTOCOL_ERROR' })).toBe(200);
    console.log(`memory fill: 200 x 8 MB before publish: RSS ${Math.round(baseline / MB)} MB, peak +${growthMb()} MB`);
    expect(peak - baseline).toBeLessThan(BUDGET_MB * MB);
    expect(metricValue(m, 'rtmpc_memory_budget_closes_total')).toBe(0);

    // 2. Command-sized messages (64 KiB minus one byte) on 200 chunk streams each, from 100 connections:
    //    each within its own limits (12.5 MiB of 16), 1.25 GiB together without a node budget.
    const partials = await Promise.all(Array.from({ length: 100 }, () => handshakeOnly(server.rtmpPort)));
    const command = body.subarray(0, 64 * 1024);
    for (const a of partials) sendManyPartials(a.socket, command, 200);
    await Promise.all(partials.map((a) => a.closed));
    m = await server.metrics();
    const closedByBudget = metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'MEMORY_BUDGET' });
    console.log(`memory fill: 100 x 200 partial commands: closed by the budget ${closedByBudget}, RSS peak +${growthMb()} MB`);
    expect(closedByBudget).toBeGreaterThanOrEqual(90);

    // 3. Accepted publishers (100 stream names) that each send an 8 MB video message minus its last byte:
    //    800 MB without a node budget.
    const publishers = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const s = await RawSession.open(server.rtmpPort);
        await s.connect('live');
        const sid = await s.createStream();
        s.publish(sid, `attack${i}`);
        await s.waitForStatus('NetStream.Publish.Start');
        return { s, sid };
      }),
    );
    for (const { s, sid } of publishers) sendAllButLastByte(s.socket, body, sid);
    // Those the budget did not close wait for their last byte; the idle timeout ends them later.
    await waitFor(
      async () => metricValue(await server.metrics(), 'rtmpc_memory_budget_closes_total') >= closedByBudget + 80,
      60_000,
      'largest publishers closed',
      100,
    );
    for (const { s } of publishers) s.destroy();
    m = await server.metrics();
    console.log(
      `memory fill: 100 publishers x 8 MB: closed by the budget ${metricValue(m, 'rtmpc_memory_budget_closes_total') - closedByBudget}, ` +
        `RSS ${Math.round(baseline / MB)} MB -> peak ${Math.round(peak / MB)} MB (budget ${BUDGET_MB} MB)`,
    );
    clearInterval(sampler);
    sampler = undefined;
    // Bounded by the budget plus the garbage collector's and the allocator's slack (buffers of closed
    // connections and of every socket read are freed at the next collection), not by the 2 GB sent: without
    // the budget step 2 alone holds 1.25 GB and step 3 800 MB.
    expect(peak - baseline).toBeLessThan(GC_SLACK_MB * MB + BUDGET_MB * MB);
    expect(metricValue(m, 'rtmpc_memory_budget_bytes')).toBe(BUDGET_MB * MB);
    expect(server.proc.stdout()).toMatch(/memory budget exceeded: closed the \d+ largest holders/);

    // The real publisher was never among the largest holders; the player got everything.
    expect(server.alive()).toBe(true);
    expect(pub.running(), pub.stderr().slice(-2000)).toBe(true);
    expect(metricValue(m, 'rtmpc_rtmp_players')).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    const playedMs = Date.now() - playerStartedAt;
    const r = await player.stop(5000, 'SIGINT');
    expect(r.stderr).not.toMatch(/Server error|Connection reset|Input\/output error/);
    const { packets } = await ffprobePackets(procs, out, { outputLimit: 32 * 1024 * 1024 });
    const video = packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    let maxGap = 0;
    for (let i = 1; i < video.length; i++) maxGap = Math.max(maxGap, video[i]! - video[i - 1]!);
    const span = video[video.length - 1]! - video[0]!;
    console.log(
      `memory fill: dropped for the player: ${metricValue(m, 'rtmpc_player_dropped_frames_total')} frames in ${metricValue(m, 'rtmpc_player_drop_episodes_total')} episodes`,
    );
    console.log(`memory fill: player got ${video.length} video packets over ${span.toFixed(1)} s, largest DTS gap ${maxGap.toFixed(3)} s`);
    expect(maxGap).toBeLessThan(1);
    expect(video.length).toBeGreaterThanOrEqual(Math.floor(span * 30 * 0.98));
    expect(span * 1000).toBeGreaterThan(playedMs * 0.8);
    await pub.stop();
  }, 300_000);
});

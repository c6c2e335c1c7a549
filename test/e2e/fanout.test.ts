/**
 * Single node fan-out: 50 players on one ffmpeg publish all receive frames starting at a keyframe; a player
 * that stops reading neither grows the server's memory past its budget nor slows another player down, and
 * is dropped as a zombie when it stops answering pings.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { TestRtmpClient } from './support/TestRtmpClient.js';
import { startTestNode, waitLive, type TestNode } from './support/testNode.js';
import { sleep } from '../support/waitFor.js';

const run = promisify(execFile);
const PING_TIMEOUT_MS = 6000;
const LATENCY_BUDGET_MS = 1000;

describe('fan-out and slow players (single node)', () => {
  const procs = new ClientProcesses();
  const clients: TestRtmpClient[] = [];
  let t: TestNode;
  let tmp: string;
  let flv: string;
  let cbrFlv: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-e2e-fanout-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    // 20 Mbit/s constant rate: loopback kernel buffers absorb ~4 MB of a paused reader, so a high rate
    // exhausts them and the 1 s budget within ~3 s.
    cbrFlv = path.join(tmp, 'cbr20m.flv');
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
      '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-bf', '0', '-g', '30', '-keyint_min', '30',
      '-sc_threshold', '0', '-b:v', '20M', '-minrate', '20M', '-maxrate', '20M', '-bufsize', '4M', '-x264-params', 'nal-hrd=cbr',
      '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-f', 'flv', cbrFlv,
    ], { timeout: 60_000 });
    t = await startTestNode({ pingIntervalMs: 1000, pingTimeoutMs: PING_TIMEOUT_MS }, { subscriber: { latencyBudgetMs: LATENCY_BUDGET_MS } });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await procs.stopAll();
    await t?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('50 players at once all receive frames, each starting with sequence headers and a keyframe', async () => {
    const publisher = ffmpegPublish(procs, flv, t.url('/live/many'), { loop: true, timeoutMs: 40_000 });
    await waitLive(t, 'live/many', 8000);
    const players = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const c = await TestRtmpClient.connect(t.url('/live'), { timeoutMs: 10_000 });
        clients.push(c);
        await c.play('many');
        return c;
      }),
    );
    await Promise.all(players.map((c) => c.until(() => c.mediaCount.video >= 45 && c.mediaCount.audio >= 45, 15_000, 'frames')));
    expect(t.node.hub.streamStats('live/many')?.subscriberCount).toBe(50);
    for (const c of players) {
      expect(c.statusCodes()).toContain('NetStream.Play.Start');
      expect(c.metadataCount).toBeGreaterThanOrEqual(1);
      const video = c.media.filter((m) => m.kind === 'video');
      expect(video[0]!.sequenceHeader).toBe(true);
      expect(video.find((m) => !m.sequenceHeader)!.keyframe).toBe(true);
      // Timestamps never go backwards for a player.
      for (let i = 1; i < video.length; i++) expect(video[i]!.timestamp).toBeGreaterThanOrEqual(video[i - 1]!.timestamp);
    }
    for (const c of players) c.close();
    await publisher.stop();
  });

  it('a paused reader stays within its backlog budget, does not delay another player, and is dropped by ping timeout', async () => {
    const publisher = ffmpegPublish(procs, cbrFlv, t.url('/live/fast'), { loop: true, timeoutMs: 40_000 });
    await waitLive(t, 'live/fast', 8000);

    const paused = await TestRtmpClient.connect(t.url('/live'));
    clients.push(paused);
    await paused.play('fast');
    await paused.until(() => paused.mediaCount.video >= 5, 8000, 'paused reader first frames');
    const pausedConn = t.node.rtmp.listConnections().find((c) => c.playing.includes('live/fast'));
    expect(pausedConn).toBeDefined();
    paused.pauseReading();

    const healthy = await TestRtmpClient.connect(t.url('/live'));
    clients.push(healthy);
    await healthy.play('fast');
    await healthy.until(() => healthy.mediaCount.video >= 10, 8000, 'healthy player first frames');

    // Watch both for 6 s, or until the paused reader's ping timeout (counted from its pause, so on a
    // loaded machine it can come first) takes it away: its last stats are what it held while attached.
    const windowStart = performance.now();
    const startVideo = healthy.mediaCount.video;
    const startTs = healthy.media.filter((m) => m.kind === 'video').at(-1)!.timestamp;
    let maxBacklog = 0;
    let pausedSub: ReturnType<typeof t.node.hub.subscriberStats>[number] | undefined;
    while (performance.now() - windowStart < 6000) {
      const conn = t.node.rtmp.listConnections().find((c) => c.connId === pausedConn!.connId);
      const sub = t.node.hub.subscriberStats('live/fast').find((s) => s.id.startsWith(`${pausedConn!.connId}/`));
      if (conn && sub) {
        maxBacklog = Math.max(maxBacklog, conn.pendingBytes + sub.queuedBytes);
        pausedSub = sub;
      }
      if (!conn) break;
      await sleep(100);
    }
    const elapsed = performance.now() - windowStart;
    const endTs = healthy.media.filter((m) => m.kind === 'video').at(-1)!.timestamp;
    const frames = healthy.mediaCount.video - startVideo;
    // The healthy player keeps real-time pace: ~30 fps and media time advancing with wall time.
    expect(frames).toBeGreaterThanOrEqual((elapsed / 1000) * 30 * 0.75);
    expect(endTs - startTs).toBeGreaterThanOrEqual(elapsed * 0.75);
    expect(healthy.closed).toBe(false);

    // The paused reader hit its budget (the hub dropped for it) and the backlog stayed bounded by the
    // budget (1 s behind live: ~2.5 MB at the measured ingress rate) plus at most one flush.
    expect(pausedSub, 'paused subscriber seen attached').toBeDefined();
    expect(pausedSub!.droppedMessages).toBeGreaterThan(0);
    const budgetBytes = ((t.node.hub.streamStats('live/fast')!.ingressBitrate / 8) * LATENCY_BUDGET_MS) / 1000;
    expect(budgetBytes).toBeGreaterThan(1_000_000);
    expect(maxBacklog).toBeGreaterThan(0);
    expect(maxBacklog).toBeLessThan(budgetBytes * 1.5 + 512 * 1024);

    // It never answers pings: dropped as a zombie.
    const closed = await t.waitForClose((e) => e.connId === pausedConn!.connId, PING_TIMEOUT_MS + 5000);
    expect(closed.reason).toBe('PING_TIMEOUT');
    expect(healthy.closed).toBe(false);
    await publisher.stop();
  });
});

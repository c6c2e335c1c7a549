/**
 * Idle sessions against the built executable: raw peers that finish the handshake and connect, then only
 * answer pings (and acknowledge), are closed at the idle timeout; so is a publisher that stops sending media.
 * A real ffmpeg publisher and a real ffmpeg player on the same node run through several idle periods.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobePackets } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { metricValue, startChildNode, type ChildNode } from './support/childNode.js';
import { RawSession } from './support/rawSession.js';

const IDLE_TIMEOUT_MS = 2000;
const PING_INTERVAL_MS = 300;

describe('idle sessions are closed even when they answer pings', () => {
  const procs = new ClientProcesses();
  let server: ChildNode;
  let flv: string;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-idle-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    server = await startChildNode(procs, {
      RTMPC_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      RTMPC_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
    });
  });

  afterAll(async () => {
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('closes connected peers that never publish or play, and a publisher that sends no media, while real clients continue', async () => {
    const pub = ffmpegPublish(procs, flv, server.url('/live/real'), { loop: true, timeoutMs: 120_000 });
    await waitFor(async () => metricValue(await server.metrics(), 'rtmpc_streams_live') >= 1, 10_000, 'publisher live', 100);
    const out = path.join(tmp, 'player.flv');
    const player = procs.spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-i', server.url('/live/real'), '-c', 'copy', '-f', 'flv', '-y', out], {
      timeoutMs: 120_000,
    });
    const peers: RawSession[] = [];
    try {
      // Handshake + connect, then nothing but ping answers.
      const connectedOnly = await RawSession.open(server.rtmpPort);
      peers.push(connectedOnly);
      await connectedOnly.connect('live');
      // Handshake + connect + createStream + publish, accepted, then no media (only ping answers).
      const silentPublisher = await RawSession.open(server.rtmpPort);
      peers.push(silentPublisher);
      await silentPublisher.connect('live');
      silentPublisher.publish(await silentPublisher.createStream(), 'silent');
      await silentPublisher.waitForStatus('NetStream.Publish.Start');
      // A publisher that sends audio for two idle periods, then stops.
      const stoppingPublisher = await RawSession.open(server.rtmpPort);
      peers.push(stoppingPublisher);
      await stoppingPublisher.connect('live');
      const sid = await stoppingPublisher.createStream();
      stoppingPublisher.publish(sid, 'stopping');
      await stoppingPublisher.waitForStatus('NetStream.Publish.Start');
      const audioUntil = performance.now() + 2 * IDLE_TIMEOUT_MS;
      let ts = 0;
      while (performance.now() < audioUntil) {
        stoppingPublisher.sendAudio(sid, ts, Buffer.from([0xaf, 0x01, 0x21, 0x00, 0x03]));
        ts += 100;
        await new Promise((r) => setTimeout(r, 100));
      }
      const mediaStoppedAt = performance.now();
      expect(stoppingPublisher.isClosed).toBe(false);

      await Promise.all(peers.map((p) => p.closed));
      // They stayed connected and answered pings the whole time: that is not activity.
      expect(connectedOnly.pingsAnswered).toBeGreaterThanOrEqual(3);
      expect(silentPublisher.pingsAnswered).toBeGreaterThanOrEqual(3);
      for (const p of [connectedOnly, silentPublisher]) {
        const lived = p.closedAt! - p.openedAt;
        expect(lived).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 100);
        expect(lived).toBeLessThan(IDLE_TIMEOUT_MS + 2500);
      }
      const afterMedia = stoppingPublisher.closedAt! - mediaStoppedAt;
      expect(afterMedia).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 700);
      expect(afterMedia).toBeLessThan(IDLE_TIMEOUT_MS + 2500);
      const m = await server.metrics();
      expect(metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'IDLE_TIMEOUT' })).toBe(3);

      // The real publisher and player were never idle (the player only receives; it is pinged instead).
      expect(pub.running(), pub.stderr().slice(-2000)).toBe(true);
      expect(player.running(), player.stderr().slice(-2000)).toBe(true);
      expect(metricValue(m, 'rtmpc_rtmp_publishers')).toBe(1);
      expect(metricValue(m, 'rtmpc_rtmp_players')).toBe(1);
    } finally {
      for (const p of peers) p.destroy();
    }
    const r = await player.stop(5000, 'SIGINT');
    expect(r.stderr).not.toMatch(/Server error|Connection reset|Input\/output error/);
    const { packets } = await ffprobePackets(procs, out, { outputLimit: 32 * 1024 * 1024 });
    const video = packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    const span = video[video.length - 1]! - video[0]!;
    expect(span).toBeGreaterThan((2 * IDLE_TIMEOUT_MS) / 1000);
    let maxGap = 0;
    for (let i = 1; i < video.length; i++) maxGap = Math.max(maxGap, video[i]! - video[i - 1]!);
    expect(maxGap).toBeLessThan(0.5);
    await pub.stop();
  }, 120_000);
});

/**
 * Single node, stream lifecycle with real clients: a player that arrives before the publisher, a name
 * nobody publishes (StreamNotFound after the wait), unpublish + republish on the same player session,
 * duplicate publish rejected (default) or taking over (policy 'takeover').
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffmpegRecord, ffprobeStreams } from '../support/rtmp-clients.js';
import { TestRtmpClient } from './support/TestRtmpClient.js';
import { startTestNode, waitLive, type TestNode } from './support/testNode.js';
import { sleep, waitFor } from '../support/waitFor.js';

const PLAY_WAIT_MS = 3000;

describe('stream lifecycle (single node)', () => {
  const procs = new ClientProcesses();
  const clients: TestRtmpClient[] = [];
  let t: TestNode;
  let flv4: string;
  let flv3: string;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-e2e-lifecycle-'));
    [flv4, flv3] = await Promise.all([
      makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 }),
      makeTestFlv(TEST_MEDIA_DIR, { seconds: 3, width: 320, height: 240, fps: 30, gop: 30 }),
    ]);
    t = await startTestNode({ playWaitMs: PLAY_WAIT_MS });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await procs.stopAll();
    await t?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an ffmpeg player that connects before the publisher gets the stream when it starts', async () => {
    const url = t.url('/live/early');
    const out = path.join(tmp, 'early.flv');
    const player = ffmpegRecord(procs, url, out, 10);
    // The player is waiting (subscribed, no Play.Start yet) before anyone publishes.
    await waitFor(() => t.logs.some((l) => l.msg === 'play waits for a publisher' && l.stream === 'live/early'), 5000, 'log line: play waits for a publisher');
    await sleep(1000);
    expect(t.node.hub.isLive('live/early')).toBe(false);
    const publisher = ffmpegPublish(procs, flv4, url, { timeoutMs: 20_000 });
    const pub = await publisher.exited;
    expect(pub.code, pub.stderr).toBe(0);
    const rec = await player.exited;
    expect(rec.code, rec.stderr).toBe(0);
    const probe = await ffprobeStreams(procs, out);
    const v = probe.streams.find((s) => s.codec_type === 'video');
    expect(v?.codec_name).toBe('h264');
    expect(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
    // Joined before the first frame: it gets (nearly) all 4 s.
    expect(Number(v?.nb_read_frames)).toBeGreaterThanOrEqual(100);
    expect(t.logs.some((l) => l.msg === 'publisher arrived: play started' && l.stream === 'live/early')).toBe(true);
  });

  it('a player of a name nobody publishes gets StreamNotFound after the configured wait', async () => {
    const c = await TestRtmpClient.connect(t.url('/live'));
    clients.push(c);
    const started = performance.now();
    await c.play('nobody');
    const status = await c.waitForStatus('NetStream.Play.StreamNotFound', PLAY_WAIT_MS + 3000);
    const waited = performance.now() - started;
    expect(status.level).toBe('error');
    expect(waited).toBeGreaterThanOrEqual(PLAY_WAIT_MS - 100);
    expect(c.statusCodes()).not.toContain('NetStream.Play.Start');
    expect(t.node.hub.streamStats('live/nobody')?.subscriberCount ?? 0).toBe(0);
  });

  it('unpublish sends UnpublishNotify, a republish sends PublishNotify and continues the same player session', async () => {
    const c = await TestRtmpClient.connect(t.url('/live'));
    clients.push(c);
    await c.play('re');
    const url = t.url('/live/re');
    const first = ffmpegPublish(procs, flv3, url, { timeoutMs: 20_000 });
    await c.waitForStatus('NetStream.Play.Start', 8000);
    await c.waitForStatus('NetStream.Play.UnpublishNotify', 10_000);
    expect((await first.exited).code).toBe(0);
    const videoBefore = c.mediaCount.video;
    expect(videoBefore).toBeGreaterThanOrEqual(60);
    const mediaIndex = c.media.length;
    const statusIndex = c.statuses.length;

    const second = ffmpegPublish(procs, flv3, url, { timeoutMs: 20_000 });
    await c.waitForStatus('NetStream.Play.PublishNotify', 8000, statusIndex);
    await c.until(() => c.mediaCount.video >= videoBefore + 30, 8000, 'video after republish');
    expect(c.closed).toBe(false);
    // Play.Start came once: the republish did not restart the play, it notified it.
    expect(c.statusCodes().filter((s) => s === 'NetStream.Play.Start')).toHaveLength(1);
    const afterVideo = c.media.slice(mediaIndex).filter((m) => m.kind === 'video');
    expect(afterVideo[0]?.sequenceHeader, 'first video after republish is the new sequence header').toBe(true);
    expect(afterVideo.find((m) => !m.sequenceHeader)?.keyframe).toBe(true);
    expect((await second.exited).code).toBe(0);
    await c.waitForStatus('NetStream.Play.UnpublishNotify', 5000, statusIndex);
  });

  it('a second ffmpeg publishing a live name is refused with NetStream.Publish.BadName; the first continues', async () => {
    const url = t.url('/live/dup');
    const first = ffmpegPublish(procs, flv4, url, { loop: true, timeoutMs: 30_000 });
    await waitLive(t, 'live/dup', 8000);
    const owner = t.node.hub.streamStats('live/dup')?.publisherId;
    const second = await ffmpegPublish(procs, flv4, url, { timeoutMs: 15_000 }).exited;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('Already publishing');
    await sleep(500);
    expect(first.running()).toBe(true);
    expect(t.node.hub.streamStats('live/dup')?.publisherId).toBe(owner);
    expect(t.logs.some((l) => l.msg === 'publish refused: already publishing' && l.stream === 'live/dup' && l.status === 'NetStream.Publish.BadName')).toBe(true);
    await first.stop();
  });

  it("with policy 'takeover' the second publisher evicts the first", async () => {
    const t2 = await startTestNode({ duplicatePublish: 'takeover' });
    try {
      const url = t2.url('/live/take');
      const first = ffmpegPublish(procs, flv4, url, { loop: true, timeoutMs: 30_000 });
      await waitLive(t2, 'live/take', 8000);
      const owner = t2.node.hub.streamStats('live/take')?.publisherId;
      const second = ffmpegPublish(procs, flv4, url, { loop: true, timeoutMs: 30_000 });
      const evicted = await t2.waitForClose((e) => e.reason === 'PUBLISH_TAKEN_OVER', 8000);
      expect(evicted.streams).toEqual(['live/take']);
      expect(owner?.startsWith(evicted.connId)).toBe(true);
      const firstResult = await first.exited;
      expect(firstResult.code).not.toBe(0);
      expect(second.running()).toBe(true);
      expect(t2.node.hub.isLive('live/take')).toBe(true);
      expect(t2.node.hub.streamStats('live/take')?.publisherId).not.toBe(owner);
      await second.stop();
    } finally {
      await t2.stop();
    }
  });
});


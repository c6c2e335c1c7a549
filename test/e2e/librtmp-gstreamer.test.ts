/**
 * Single node with clients from other RTMP stacks: rtmpdump (librtmp, simple handshake, play start 0) plays
 * and saves FLV; GStreamer rtmp2sink publishes (transaction id 0 commands, chunk size 128) and rtmp2src plays.
 * What each saved is probed with ffprobe.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams, gstPublishFile, gstRecord, rtmpdumpRecord } from '../support/rtmp-clients.js';
import { startTestNode, waitLive, type TestNode } from './support/testNode.js';
import { sleep } from '../support/waitFor.js';

describe('rtmpdump and GStreamer rtmp2 against a single node', () => {
  const procs = new ClientProcesses();
  let t: TestNode;
  let flv: string;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-e2e-clients-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 8, width: 640, height: 360, fps: 30, gop: 30 });
    t = await startTestNode({ playWaitMs: 5000 });
  });

  afterAll(async () => {
    await procs.stopAll();
    await t?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('rtmpdump plays an ffmpeg publish; the saved FLV is h264 + aac', async () => {
    const url = t.url('/live/dump');
    const publisher = ffmpegPublish(procs, flv, url, { timeoutMs: 30_000 });
    await waitLive(t, 'live/dump', 8000);
    const out = path.join(tmp, 'rtmpdump.flv');
    const dump = await rtmpdumpRecord(procs, url, out, 3).exited;
    // librtmp ignores --stop on live streams: it ends at the publisher's UnpublishNotify/StreamEOF with exit 0
    // ("Download complete"); 2 would be an incomplete download it could resume.
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stderr).toContain('Download complete');
    expect(dump.stderr).not.toMatch(/ERROR/);
    const probe = await ffprobeStreams(procs, out);
    expect(probe.result.code, probe.result.stderr).toBe(0);
    const v = probe.streams.find((s) => s.codec_type === 'video');
    const a = probe.streams.find((s) => s.codec_type === 'audio');
    expect(v?.codec_name).toBe('h264');
    expect(v?.width).toBe(640);
    expect(a?.codec_name).toBe('aac');
    expect(a?.sample_rate).toBe('48000');
    expect(Number(v?.nb_read_frames)).toBeGreaterThanOrEqual(30);
    await publisher.stop();
  });

  it('GStreamer rtmp2sink publishes; ffprobe and rtmp2src play it', async () => {
    const url = t.url('/live/gst');
    const publisher = gstPublishFile(procs, flv, url, { timeoutMs: 30_000 });
    await waitLive(t, 'live/gst', 10_000);
    await sleep(500);

    const probe = await ffprobeStreams(procs, url, { seconds: 2 });
    expect(probe.result.code, probe.result.stderr).toBe(0);
    const v = probe.streams.find((s) => s.codec_type === 'video');
    const a = probe.streams.find((s) => s.codec_type === 'audio');
    expect(v?.codec_name).toBe('h264');
    expect(v?.width).toBe(640);
    expect(v?.height).toBe(360);
    expect(a?.codec_name).toBe('aac');
    expect(a?.sample_rate).toBe('48000');
    expect(Number(v?.nb_read_frames)).toBeGreaterThanOrEqual(30);

    const out = path.join(tmp, 'rtmp2src.flv');
    const player = gstRecord(procs, url, out, { timeoutMs: 20_000 });
    await sleep(3000);
    const played = await player.stop(3000, 'SIGINT');
    expect(played.stderr).not.toMatch(/ERROR/);
    const saved = await ffprobeStreams(procs, out);
    expect(saved.result.code, saved.result.stderr).toBe(0);
    const sv = saved.streams.find((s) => s.codec_type === 'video');
    const sa = saved.streams.find((s) => s.codec_type === 'audio');
    expect(sv?.codec_name).toBe('h264');
    expect(sa?.codec_name).toBe('aac');
    expect(Number(sv?.nb_read_frames)).toBeGreaterThanOrEqual(30);

    const pub = await publisher.exited;
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
  });
});

/**
 * Single node, real ffmpeg/ffprobe: ffmpeg publishes a generated H.264 + AAC stream at real time; ffprobe
 * and ffmpeg play it. Checks codecs, resolution, sample rate, frame counts against the duration, and that a
 * late joiner starts at a keyframe (the GOP cache).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffmpegRecord, ffprobePackets, ffprobeStreams } from '../support/rtmp-clients.js';
import { startTestNode, waitLive, type TestNode } from './support/testNode.js';
import { sleep } from '../support/waitFor.js';

const FPS = 30;
const SECONDS = 8;

describe('ffmpeg publishes, ffprobe/ffmpeg play (single node)', () => {
  const procs = new ClientProcesses();
  let t: TestNode;
  let flv: string;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-e2e-ffmpeg-'));
    // 2 s GOP: a player joining mid-GOP only starts at a keyframe if the server starts it there.
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: SECONDS, width: 640, height: 360, fps: FPS, gop: 60 });
    t = await startTestNode({ playWaitMs: 5000 });
  });

  afterAll(async () => {
    await procs.stopAll();
    await t?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('delivers h264 640x360 + aac 48 kHz to ffprobe, ffmpeg records it whole, late joiner starts at a keyframe', async () => {
    const url = t.url('/live/cam1');
    const publisher = ffmpegPublish(procs, flv, url, { timeoutMs: 40_000 });
    const recordFile = path.join(tmp, 'recorded.flv');
    // Joins right away and records until the publisher leaves (ffmpeg ends on UnpublishNotify).
    await waitLive(t, 'live/cam1', 8000);
    const recorder = ffmpegRecord(procs, url, recordFile, SECONDS + 5);
    await sleep(1500);

    // Probes ~3 s of the live stream from mid-stream on.
    const probe = await ffprobeStreams(procs, url, { seconds: 3 });
    expect(probe.result.code, probe.result.stderr).toBe(0);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    const audio = probe.streams.find((s) => s.codec_type === 'audio');
    expect(video?.codec_name).toBe('h264');
    expect(video?.width).toBe(640);
    expect(video?.height).toBe(360);
    expect(audio?.codec_name).toBe('aac');
    expect(audio?.sample_rate).toBe('48000');
    expect(audio?.channels).toBe(2);
    // %+3 reads 3 s of media time: ~90 video frames at 30 fps, ~141 AAC frames at 48 kHz / 1024.
    const vFrames = Number(video?.nb_read_frames);
    const aFrames = Number(audio?.nb_read_frames);
    expect(vFrames).toBeGreaterThanOrEqual(60);
    expect(vFrames).toBeLessThanOrEqual(160);
    expect(aFrames).toBeGreaterThanOrEqual(90);
    expect(aFrames).toBeLessThanOrEqual(240);

    // A late joiner at an arbitrary point of a 2 s GOP: its first video packet must be a keyframe.
    const late = await ffprobePackets(procs, url, { seconds: 1 });
    expect(late.result.code, late.result.stderr).toBe(0);
    const firstVideo = late.packets.find((p) => p.codec_type === 'video');
    expect(firstVideo, 'late joiner got no video packet').toBeDefined();
    expect(firstVideo!.flags.startsWith('K'), `first video packet flags ${firstVideo!.flags}`).toBe(true);

    const pub = await publisher.exited;
    expect(pub.code, pub.stderr).toBe(0);
    const rec = await recorder.exited;
    expect(rec.timedOut, rec.stderr).toBe(false);
    expect(rec.code, rec.stderr).toBe(0);

    // The recording covers from the join (about 0.5-1 s into the stream, minus the GOP cache) to the end.
    const recorded = await ffprobeStreams(procs, recordFile);
    const rv = recorded.streams.find((s) => s.codec_type === 'video');
    const ra = recorded.streams.find((s) => s.codec_type === 'audio');
    expect(rv?.codec_name).toBe('h264');
    expect(ra?.codec_name).toBe('aac');
    const recFrames = Number(rv?.nb_read_frames);
    expect(recFrames).toBeGreaterThanOrEqual((SECONDS - 3) * FPS);
    expect(recFrames).toBeLessThanOrEqual(SECONDS * FPS + 5);
    const recAudio = Number(ra?.nb_read_frames);
    expect(recAudio).toBeGreaterThanOrEqual(((SECONDS - 3) * 48000) / 1024);

    // The server logged the publish and the plays with connection ids and the stream key.
    expect(t.logs.some((l) => l.msg === 'publish started' && l.stream === 'live/cam1' && typeof l.connId === 'string')).toBe(true);
    expect(t.logs.filter((l) => l.msg === 'play started' && l.stream === 'live/cam1').length).toBeGreaterThanOrEqual(3);
    const stats = t.node.rtmp.stats();
    expect(stats.bytesIn).toBeGreaterThan(500_000);
    expect(stats.bytesOut).toBeGreaterThan(stats.bytesIn);
  });
});

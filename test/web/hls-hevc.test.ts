/**
 * LL-HLS of an Enhanced RTMP HEVC + Opus publish (a scripted publisher on the project's client session: Debian's
 * ffmpeg cannot publish E-RTMP), read by a real client: ffprobe opens the fMP4 playlist and decodes HEVC frames
 * (320x240) and Opus audio from it. (Debian's Chromium has no HEVC decoder; AV1 + Opus in Chromium: ertmp.test.ts.)
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientProcesses, ffprobeStreams } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startTestNode, type TestNode } from '../e2e/support/testNode.js';
import { publishErtmp, type ErtmpPublisher } from './support/ertmpPublisher.js';
import { makeHevcOpus } from './support/hevcOpusMedia.js';

const procs = new ClientProcesses();
let node: TestNode;
let publisher: ErtmpPublisher;

beforeAll(async () => {
  const media = await makeHevcOpus(path.join(os.tmpdir(), 'rtmp-cluster-media'), 4);
  node = await startTestNode({ playWaitMs: 5000 });
  publisher = await publishErtmp(node.url('live/hevc'), media);
  await waitFor(() => node.node.hub.isLive('live/hevc') && publisher.sent() > 50, 10_000, 'E-RTMP publisher live');
}, 120_000);

afterAll(async () => {
  publisher?.stop();
  await procs.stopAll();
  await node?.stop();
});

describe('HEVC + Opus LL-HLS', () => {
  it('ffprobe decodes hvc1 video and Opus audio from /APP/NAME/index.m3u8', async () => {
    const probe = await ffprobeStreams(procs, node.node.webUrl('/live/hevc/index.m3u8'), { seconds: 3 });
    const kinds = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds, probe.result.stderr).toEqual(['audio:opus', 'video:hevc']);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect([video.width, video.height]).toEqual([320, 240]);
    // frames decoded, not just packets read
    expect(Number(video.nb_read_frames), probe.result.stderr).toBeGreaterThan(20);
    expect(Number(probe.streams.find((s) => s.codec_type === 'audio')!.nb_read_frames)).toBeGreaterThan(50);
    expect(probe.result.stderr).not.toMatch(/error|invalid/i);
  });
});

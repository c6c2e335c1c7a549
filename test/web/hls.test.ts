/**
 * LL-HLS from an all-in-one node: ffprobe decodes the playlist's stream; the node answers the LL-HLS
 * requests of a session as a browser player makes them (redirect to a session, blocking reload, hinted
 * part), counts the session as an 'hls' viewer, and refuses what the spec says to refuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startTestNode, type TestNode } from '../e2e/support/testNode.js';

const procs = new ClientProcesses();
let node: TestNode;
let flv: string;

beforeAll(async () => {
  flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 6, width: 320, height: 240, fps: 25, gop: 25 });
  node = await startTestNode({ playWaitMs: 3000 });
  ffmpegPublish(procs, flv, node.url('live/hls'), { loop: true, timeoutMs: 100_000 });
  await waitFor(() => node.node.hub.isLive('live/hls'), 10_000, 'publisher live');
});
afterAll(async () => {
  await procs.stopAll();
  await node?.stop();
});

async function playlistUrl(): Promise<string> {
  const res = await fetch(node.node.webUrl('/live/hls/index.m3u8'), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!, node.node.webUrl('/live/hls/index.m3u8')).toString();
}

describe('LL-HLS from a node', () => {
  it('ffprobe decodes H.264 320x240 and AAC from /APP/NAME/index.m3u8, nothing else', async () => {
    const probe = await ffprobeStreams(procs, node.node.webUrl('/live/hls/index.m3u8'), { seconds: 3 });
    const kinds = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds, probe.result.stderr).toEqual(['audio:aac', 'video:h264']);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect(video.width).toBe(320);
    expect(Number(video.nb_read_frames)).toBeGreaterThan(20);
  });

  it('serves a session: blocking reload for the next part, the hinted part, CORS, and lists it as an hls viewer', async () => {
    const url = await playlistUrl();
    const first = await fetch(url, { headers: { origin: 'http://player.example' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const text = await first.text();
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-(\d+)\.(\d+)\.m4s\?([^"]+)"/.exec(text)!;
    expect(hint).toBeTruthy();
    const [msn, part] = [Number(hint[1]), Number(hint[2])];
    const t0 = Date.now();
    const [blocked, hinted] = await Promise.all([
      fetch(`${url}&_HLS_msn=${msn}&_HLS_part=${part}`),
      fetch(new URL(`part-${msn}.${part}.m4s?${hint[3]}`, url)),
    ]);
    expect(blocked.status).toBe(200);
    expect(await blocked.text()).toContain(`part-${msn}.${part}.m4s`);
    expect(hinted.status).toBe(200);
    expect(hinted.headers.get('content-type')).toBe('video/mp4');
    expect(hinted.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const bytes = Buffer.from(await hinted.arrayBuffer());
    expect(bytes.subarray(4, 8).toString()).toBe('moof');
    // the part is written when the stream reaches it: within a part duration or so, not at once, not seconds later
    expect(Date.now() - t0).toBeLessThan(2000);
    const session = new URL(url).searchParams.get('session')!;
    const viewer = node.node.web!.viewers.list('live/hls').find((v) => v.id === `hls-${session}`);
    expect(viewer?.protocol).toBe('hls');
    expect(viewer!.bytesOut).toBeGreaterThan(bytes.length);
    // an operator's kick ends the session on this node
    expect(node.node.web!.viewers.kick(`hls-${session}`, 'test')).toBeTruthy();
    expect((await fetch(url)).status).toBe(403);
    expect(node.node.web!.viewers.list('live/hls').some((v) => v.id === `hls-${session}`)).toBe(false);
  });

  it('answers 400 to reloads too far ahead and to media requests without a session; 404 for an unknown stream', async () => {
    const url = await playlistUrl();
    const text = await (await fetch(url)).text();
    const seq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]);
    const segs = text.split('\n').filter((l) => l.startsWith('seg-')).length;
    expect((await fetch(`${url}&_HLS_msn=${seq + segs + 5}`)).status).toBe(400);
    expect((await fetch(`${url}&_HLS_part=2`)).status).toBe(400);
    expect((await fetch(node.node.webUrl(`/live/hls/seg-${seq}.m4s`))).status).toBe(400);
    const t0 = Date.now();
    const unknown = await fetch(node.node.webUrl('/live/nobody/index.m3u8?session=abcdefgh12'));
    expect(unknown.status).toBe(404);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
  });
});

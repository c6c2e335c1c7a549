/**
 * HTTP-FLV and WS-FLV from an all-in-one node, read by ffprobe/ffmpeg (HTTP) and a WebSocket client
 * (Node's own), checked tag by tag: header flags, metadata and sequence headers first, a keyframe next.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startTestNode, type TestNode } from '../e2e/support/testNode.js';
import { readFlvTags } from './support/flvReader.js';

const procs = new ClientProcesses();
let node: TestNode;
let flv: string;

beforeAll(async () => {
  flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 6, width: 320, height: 240, fps: 25, gop: 25 });
  node = await startTestNode({ playWaitMs: 3000 });
});
afterAll(async () => {
  await procs.stopAll();
  await node?.stop();
});

describe('HTTP-FLV', () => {
  it('ffprobe decodes H.264 and AAC from /APP/NAME.flv, no other stream', async () => {
    ffmpegPublish(procs, flv, node.url('live/probe'), { loop: true });
    await waitFor(() => node.node.hub.isLive('live/probe'), 10_000, 'publisher live');
    const probe = await ffprobeStreams(procs, node.node.webUrl('/live/probe.flv'), { seconds: 2 });
    const kinds = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
    expect(kinds, probe.result.stderr).toEqual(['audio:aac', 'video:h264']);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect(video.width).toBe(320);
    expect(Number(video.nb_read_frames)).toBeGreaterThan(20);
  });

  it('sends the header with the tracks present, metadata and sequence headers, then a keyframe', async () => {
    const tags = await readFlvTags(node.node.webUrl('/live/probe.flv'), { maxTags: 40 });
    expect(tags.header.audio).toBe(true);
    expect(tags.header.video).toBe(true);
    expect(tags.contentType).toBe('video/x-flv');
    const first = tags.tags.slice(0, 3).map((t) => t.kind).sort();
    expect(first).toEqual(['audio-config', 'script', 'video-config']);
    const firstFrame = tags.tags.find((t) => t.kind === 'video');
    expect(firstFrame?.keyframe).toBe(true);
  });

  it.each(['1.1', '1.0'])('an HTTP/%s client reads the FLV bytes themselves after the headers, no chunk framing', async (version) => {
    const url = new URL(node.node.webUrl('/live/probe.flv'));
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(`GET ${url.pathname} HTTP/${version}\r\nhost: x\r\n\r\n`));
      let got = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length > 64 * 1024) {
          socket.destroy();
          resolve(got);
        }
      });
      socket.on('error', reject);
      socket.setTimeout(10_000, () => reject(new Error(`only ${got.length} bytes`)));
    });
    const headEnd = raw.indexOf('\r\n\r\n');
    const head = raw.toString('latin1', 0, headEnd).toLowerCase();
    expect(head.split('\r\n')[0]).toBe(`http/1.1 200 ok`);
    expect(head).not.toMatch(/transfer-encoding|content-length/);
    expect(head).toMatch(/\r\nconnection: close(\r\n|$)/);
    const body = raw.subarray(headEnd + 4);
    // 'FLV', version 1, flags, header length 9, then PreviousTagSize0 and the first tag (script data, 18)
    expect(body.toString('latin1', 0, 3)).toBe('FLV');
    expect(body.readUInt32BE(5)).toBe(9);
    expect(body.readUInt32BE(9)).toBe(0);
    expect(body[13]).toBe(18);
    // tag after tag with their back-pointers: a chunk size line anywhere would break the chain
    let at = 13;
    let tags = 0;
    while (at + 11 <= body.length) {
      const size = body.readUIntBE(at + 1, 3);
      if (at + 11 + size + 4 > body.length) break;
      expect([8, 9, 18]).toContain(body[at]);
      expect(body.readUInt32BE(at + 11 + size)).toBe(11 + size);
      at += 11 + size + 4;
      tags++;
    }
    expect(tags).toBeGreaterThan(5);
  });

  it('an unknown stream is 404 after the publisher wait', async () => {
    const t0 = Date.now();
    const res = await fetch(node.node.webUrl('/live/nobody.flv'));
    expect(res.status).toBe(404);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
  });
});

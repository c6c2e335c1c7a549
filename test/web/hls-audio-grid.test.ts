/**
 * Chromium buffers every LL-HLS segment whole when the stream's AAC frames sit half a frame (11 ms) off a grid
 * counted from timestamp 0: their millisecond timestamps round to either side of such a grid, and with frames
 * placed on it Chromium kept 0.3-0.9 s of each 1 s segment. Each segment is appended alone to a fresh
 * MediaSource, as a player starting there does.
 */
import http from 'node:http';
import { setImmediate as tick } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HlsService } from '@rtmp-cluster/hls';
import { StreamHub } from '@rtmp-cluster/media';
import { MessageType, mediaEventOf } from '@rtmp-cluster/rtmp';
import { readFlvMessages } from '../support/flvFile.js';
import { launchChromium, type BrowserHarness } from '../support/browser.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';

const KEY = 'live/grid';
let chromium: BrowserHarness;
let server: http.Server;
let base: string;
const files = new Map<string, Buffer>();

beforeAll(async () => {
  const messages = await readFlvMessages(await makeTestFlv(TEST_MEDIA_DIR, { seconds: 10, gop: 30 }));
  const hub = new StreamHub();
  const hls = new HlsService({ hub, epochOf: async () => ({ epoch: 1, startedAtMs: 1_764_000_000_000 }) });
  const pub = hub.publish(KEY, { id: 'pub', close() {} });
  await hls.warm(KEY);
  for (const m of messages) {
    const moved = m.type === MessageType.Audio && m.payload[1] !== 0 ? { ...m, timestamp: m.timestamp + 11 } : m;
    const ev = mediaEventOf(moved, 1);
    if (ev.kind !== 'dropped') pub.push(ev);
    hub.flush();
    await tick();
  }
  const get = async (file: string): Promise<Buffer> => {
    const res = await hls.handle(KEY, file, new URLSearchParams('session=audiogrid01'), { remoteAddress: '127.0.0.1' });
    expect(res.status, file).toBe(200);
    return Buffer.from(res.body);
  };
  const playlist = (await get('index.m3u8')).toString();
  const init = await get(/#EXT-X-MAP:URI="([^"?]+)/.exec(playlist)![1]!);
  for (const m of playlist.matchAll(/^seg-(\d+)\.m4s/gm)) files.set(m[1]!, Buffer.concat([init, await get(m[0])]));
  hls.close();
  hub.close();
  server = http.createServer((req, res) => {
    const body = files.get((req.url ?? '').slice(1));
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><video id="v" muted></video>');
    else if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'video/mp4' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  server?.close();
});

describe('LL-HLS audio placement', () => {
  it('Chromium buffers each segment whole when the audio sits half a frame off a grid from 0', async () => {
    expect(files.size).toBeGreaterThanOrEqual(7);
    const { page } = await chromium.newPage();
    await page.goto(base);
    for (const name of files.keys()) {
      const ranges = await page.evaluate(async (url) => {
        const v = document.getElementById('v') as HTMLVideoElement;
        const ms = new MediaSource();
        v.src = URL.createObjectURL(ms);
        await new Promise((r) => ms.addEventListener('sourceopen', r, { once: true }));
        const sb = ms.addSourceBuffer('video/mp4; codecs="avc1.4D401E,mp4a.40.2"');
        sb.appendBuffer(await (await fetch(url)).arrayBuffer());
        await new Promise((r, j) => {
          sb.addEventListener('updateend', r, { once: true });
          sb.addEventListener('error', () => j(new Error('append failed')), { once: true });
        });
        return Array.from({ length: sb.buffered.length }, (_, i) => [sb.buffered.start(i), sb.buffered.end(i)]);
      }, base + name);
      expect(ranges.length, `segment ${name}: ${JSON.stringify(ranges)}`).toBe(1);
      expect(ranges[0]![1]! - ranges[0]![0]!, `segment ${name}: ${JSON.stringify(ranges)}`).toBeGreaterThan(0.97);
    }
  });
});

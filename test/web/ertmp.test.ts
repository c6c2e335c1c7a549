/**
 * An Enhanced RTMP publish (AV1 + Opus from a scripted publisher on the project's client session) reaches:
 * HTTP-FLV viewers as E-RTMP tags (av01, Opus) that Chromium's mpegts.js decodes; RTMP players that declared
 * av01/Opus in their connect fourCcList as the same E-RTMP tags; a player that declared only av01 gets the
 * video but no Opus tags, and the node logs why; RTMP players that declared nothing get the metadata but no
 * audio or video tags (they could not decode them). Chromium decodes the stream both as HTTP-FLV (mpegts.js)
 * and as LL-HLS (hls.js, fMP4 with av01 and Opus sample entries).
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaEvent } from '@rtmp-cluster/rtmp';
import { launchChromium, servePages, SMPTE_RED_BAR, waitForPlayback, type BrowserHarness, type PageOrigin } from '../support/browser.js';
import { waitFor } from '../support/waitFor.js';
import { startTestNode, type TestNode } from '../e2e/support/testNode.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { makeAv1Opus } from './support/av1OpusMedia.js';
import { publishErtmp, type ErtmpPublisher } from './support/ertmpPublisher.js';
import { readFlvTags } from './support/flvReader.js';

let node: TestNode;
let publisher: ErtmpPublisher;
let chromium: BrowserHarness | undefined;
let site: PageOrigin | undefined;
const clients: TestRtmpClient[] = [];

beforeAll(async () => {
  const media = await makeAv1Opus(path.join(os.tmpdir(), 'rtmp-cluster-media'), 4);
  node = await startTestNode({ playWaitMs: 5000 });
  publisher = await publishErtmp(node.url('live/av1'), media);
  await waitFor(() => node.node.hub.isLive('live/av1') && publisher.sent() > 50, 10_000, 'E-RTMP publisher live');
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await chromium?.close();
  await site?.close();
  publisher?.stop();
  await node?.stop();
});

/** first bytes of the audio/video payloads an RTMP player receives */
function recordHeads(client: TestRtmpClient): Array<{ kind: string; head: string }> {
  const heads: Array<{ kind: string; head: string }> = [];
  client.session.on('media', (m: MediaEvent) => heads.push({ kind: m.kind, head: m.message.payload.subarray(0, 5).toString('latin1') }));
  return heads;
}

describe('Enhanced RTMP (AV1 + Opus) to every kind of player', () => {
  it('HTTP-FLV viewers get av01 and Opus as E-RTMP tags, configs first', async () => {
    const flv = await readFlvTags(node.node.webUrl('/live/av1.flv'), { maxTags: 30 });
    expect(flv.header).toEqual({ audio: true, video: true });
    const videoConfig = flv.tags.find((t) => t.kind === 'video-config')!;
    expect(videoConfig.head.subarray(0, 5)).toEqual(Buffer.from([0x90, ...Buffer.from('av01')]));
    const audioConfig = flv.tags.find((t) => t.kind === 'audio-config')!;
    expect(audioConfig.head.subarray(0, 5)).toEqual(Buffer.from([0x90, ...Buffer.from('Opus')]));
    expect(audioConfig.head.subarray(5, 13).toString('latin1')).toBe('OpusHead');
    const frames = flv.tags.filter((t) => t.kind === 'video');
    expect(frames[0]!.keyframe).toBe(true);
    expect(frames.every((t) => t.head.subarray(1, 5).toString('latin1') === 'av01')).toBe(true);
  });

  it('RTMP players: E-RTMP tags for those that declared fourCcList, no undecodable tags for those that did not', async () => {
    const enhanced = await TestRtmpClient.connect(node.url('live'), { connectFields: { fourCcList: ['av01', 'Opus'] } });
    const legacy = await TestRtmpClient.connect(node.url('live'));
    clients.push(enhanced, legacy);
    const enhancedHeads = recordHeads(enhanced);
    const legacyHeads = recordHeads(legacy);
    await enhanced.play('av1');
    await legacy.play('av1');
    await enhanced.waitForStatus('NetStream.Play.Start', 8000);
    await legacy.waitForStatus('NetStream.Play.Start', 8000);
    await enhanced.until(() => enhanced.mediaCount.video >= 25 && enhanced.mediaCount.audio >= 25, 10_000, 'E-RTMP media');
    expect(enhancedHeads.filter((h) => h.kind === 'video').every((h) => h.head.slice(1) === 'av01' && (h.head.charCodeAt(0) & 0x80) !== 0)).toBe(true);
    expect(enhancedHeads.filter((h) => h.kind === 'audio').every((h) => h.head.slice(1) === 'Opus')).toBe(true);
    // The legacy player has been playing just as long: metadata, but not one audio or video tag.
    await legacy.until(() => legacy.metadataCount >= 1, 5000, 'metadata');
    expect(legacy.closed).toBe(false);
    expect(legacyHeads).toEqual([]);
    expect(legacy.mediaCount.audio + legacy.mediaCount.video).toBe(0);
  });

  it('a player that declared only av01 gets the AV1 video and no Opus tags, and the node says why', async () => {
    const videoOnly = await TestRtmpClient.connect(node.url('live'), { connectFields: { fourCcList: ['av01'] } });
    clients.push(videoOnly);
    const heads = recordHeads(videoOnly);
    await videoOnly.play('av1');
    await videoOnly.waitForStatus('NetStream.Play.Start', 8000);
    await videoOnly.until(() => videoOnly.mediaCount.video >= 50, 10_000, 'AV1 frames');
    expect(heads.filter((h) => h.kind === 'video').every((h) => h.head.slice(1) === 'av01')).toBe(true);
    // two seconds of AV1 went by, and all that time the Opus track (50 packets a second) was withheld
    expect(videoOnly.mediaCount.audio).toBe(0);
    expect(heads.filter((h) => h.kind === 'audio')).toEqual([]);
    const said = node.logs.find((l) => l['declared'] === 'fourcc:av01');
    expect(said?.['withheld']).toEqual(['Opus']);
    expect(said?.msg).toContain('did not declare Opus');
    // the player that declared nothing was told about both
    expect(node.logs.find((l) => l['declared'] === 'legacy')?.['withheld']).toEqual(['av01', 'Opus']);
  });

  it('Chromium decodes the AV1 + Opus HTTP-FLV through mpegts.js', async () => {
    chromium = await launchChromium();
    site = await servePages({
      '/av1.html': `<!doctype html><html><body><video id="v" autoplay playsinline muted width="320" height="240"></video>
<script src="${node.node.webUrl('/play-assets/mpegts.js')}"></script>
<script>
  const p = mpegts.createPlayer({ type: 'flv', isLive: true, url: ${JSON.stringify(node.node.webUrl('/live/av1.flv'))} }, { enableStashBuffer: false });
  p.on(mpegts.Events.ERROR, (t, d) => console.error('mpegts error', t, d));
  p.attachMediaElement(document.getElementById('v'));
  p.load();
  document.getElementById('v').play().catch((e) => console.error('play', e.message));
</script></body></html>`,
    });
    const { page, log } = await chromium.newPage();
    await page.goto(site.url('/av1.html'));
    const s = await waitForPlayback(page, (x) => x.decodedFrames >= 25 && x.audioBytes > 0 && x.currentTime > 1, 20_000, SMPTE_RED_BAR);
    expect(s.error, log.join('\n')).toBeNull();
    expect(s.decodedFrames, log.join('\n')).toBeGreaterThanOrEqual(25);
    expect(s.audioBytes, log.join('\n')).toBeGreaterThan(0);
    const [r, g, b] = s.color!;
    expect(r, `red bar is ${s.color}`).toBeGreaterThan(150);
    expect(g).toBeLessThan(70);
    expect(b).toBeLessThan(70);
    await page.close();
  });

  it('Chromium decodes the AV1 + Opus LL-HLS through hls.js', async () => {
    chromium ??= await launchChromium();
    const hlsSite = await servePages({
      '/av1-hls.html': `<!doctype html><html><body><video id="v" autoplay playsinline muted width="320" height="240"></video>
<script src="${node.node.webUrl('/play-assets/hls.js')}"></script>
<script>
  const hls = new Hls({ lowLatencyMode: true });
  hls.on(Hls.Events.ERROR, (e, d) => console.error('hls error', d.type, d.details, d.fatal ? 'fatal' : ''));
  hls.loadSource(${JSON.stringify(node.node.webUrl('/live/av1/index.m3u8'))});
  hls.attachMedia(document.getElementById('v'));
  document.getElementById('v').play().catch((e) => console.error('play', e.message));
</script></body></html>`,
    });
    try {
      const { page, log } = await chromium.newPage();
      await page.goto(hlsSite.url('/av1-hls.html'));
      const s = await waitForPlayback(page, (x) => x.decodedFrames >= 25 && x.audioBytes > 0 && x.currentTime > 1, 25_000, SMPTE_RED_BAR);
      expect(s.error, log.join('\n')).toBeNull();
      expect(s.decodedFrames, log.join('\n')).toBeGreaterThanOrEqual(25);
      expect(s.audioBytes, log.join('\n')).toBeGreaterThan(0);
      const later = await waitForPlayback(page, (x) => x.currentTime >= s.currentTime + 2, 10_000);
      expect(later.currentTime, log.join('\n')).toBeGreaterThanOrEqual(s.currentTime + 2);
      const [r, g, b] = s.color!;
      expect(r, `red bar is ${s.color}`).toBeGreaterThan(150);
      expect(g).toBeLessThan(70);
      expect(b).toBeLessThan(70);
      expect(log.filter((l) => l.includes('hls error') && l.includes('fatal')), log.join('\n')).toEqual([]);
      // what it decoded was the av01 and Opus sample entries of the node's own init segment
      const playlist = await (await fetch(node.node.webUrl('/live/av1/index.m3u8?session=av1hlscheck'))).text();
      const init = Buffer.from(await (await fetch(node.node.webUrl(`/live/av1/${/#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)![1]}`))).arrayBuffer());
      for (const box of ['av01', 'av1C', 'Opus', 'dOps']) expect(init.includes(box, 0, 'latin1'), box).toBe(true);
      await page.close();
    } finally {
      await hlsSite.close();
    }
  });
});

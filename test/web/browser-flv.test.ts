/**
 * Debian's Chromium plays the node's HTTP-FLV and WS-FLV through mpegts.js from a page of another origin,
 * and the node's own /play page: video frames decoded, audio decoded, time advancing, and the picture shows
 * the colour bars where the test pattern has them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectColourBarsPlayback, launchChromium, servePages, type BrowserHarness, type PageOrigin } from '../support/browser.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startTestNode, type TestNode } from '../e2e/support/testNode.js';

const procs = new ClientProcesses();
let node: TestNode;
let chromium: BrowserHarness;
let site: PageOrigin;


function mpegtsPage(nodeOrigin: string): string {
  return `<!doctype html><html><body><video id="v" autoplay playsinline muted width="640" height="360"></video>
<script src="${nodeOrigin}/play-assets/mpegts.js"></script>
<script>
  window.startPlayer = (url) => {
    const p = mpegts.createPlayer({ type: 'flv', isLive: true, url }, { enableStashBuffer: false });
    p.on(mpegts.Events.ERROR, (t, d) => console.error('mpegts error', t, d));
    p.attachMediaElement(document.getElementById('v'));
    p.load();
    document.getElementById('v').play().catch((e) => console.error('play', e.message));
  };
</script></body></html>`;
}


beforeAll(async () => {
  const flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 10, width: 640, height: 360, fps: 25, gop: 25, pattern: 'smptebars' });
  node = await startTestNode({ playWaitMs: 5000 });
  ffmpegPublish(procs, flv, node.url('live/bars'), { loop: true });
  await waitFor(() => node.node.hub.isLive('live/bars'), 15_000, 'publisher live');
  const nodeOrigin = node.node.webUrl('');
  site = await servePages({ '/player.html': mpegtsPage(nodeOrigin) });
  chromium = await launchChromium();
}, 90_000);

afterAll(async () => {
  await chromium?.close();
  await site?.close();
  await procs.stopAll();
  await node?.stop();
});

describe('Chromium plays', () => {
  it('HTTP-FLV through mpegts.js from another origin', async () => {
    const { page, log } = await chromium.newPage();
    await page.goto(site.url('/player.html'));
    await page.evaluate((url) => (window as unknown as { startPlayer(u: string): void }).startPlayer(url), node.node.webUrl('/live/bars.flv'));
    await expectColourBarsPlayback(page, log);
    const viewers = node.node.web!.viewers.list('live/bars');
    expect(viewers.map((v) => v.protocol)).toContain('http-flv');
    await page.close();
  });

  it('WS-FLV through mpegts.js from another origin', async () => {
    const { page, log } = await chromium.newPage();
    await page.goto(site.url('/player.html'));
    const wsUrl = node.node.webUrl('/live/bars.flv').replace(/^http/, 'ws');
    await page.evaluate((url) => (window as unknown as { startPlayer(u: string): void }).startPlayer(url), wsUrl);
    await expectColourBarsPlayback(page, log);
    expect(node.node.web!.viewers.list('live/bars').map((v) => v.protocol)).toContain('ws-flv');
    await page.close();
  });

  it("the node's own /play page", async () => {
    const { page, log } = await chromium.newPage();
    await page.goto(node.node.webUrl('/play/live/bars'));
    await expectColourBarsPlayback(page, log);
    const mode = await page.evaluate(() => (window as unknown as { rtmpcPlayer: { mode: string } }).rtmpcPlayer.mode);
    expect(mode).toBe('flv');
    await page.close();
  });
});

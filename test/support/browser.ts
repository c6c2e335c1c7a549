/// <reference lib="dom" />
/**
 * A real headless Chromium (Debian's `chromium`) driven by puppeteer-core, for the browser playback tests:
 * launch with a fresh profile, a page server on another origin (players are embedded in other sites), and
 * what a page can tell about playback: decoded video frames, decoded audio bytes, currentTime, and the
 * colour of the picture at a point.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.RTMPC_CHROMIUM ?? '/usr/bin/chromium';

export interface BrowserHarness {
  browser: Browser;
  /** a page whose console errors and failed requests are kept in `log` */
  newPage(): Promise<{ page: Page; log: string[] }>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<BrowserHarness> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'rtmpc-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      // Background tabs throttle timers and media: every test page is "in front".
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
    protocolTimeout: 60_000,
  });
  return {
    browser,
    async newPage() {
      const page = await browser.newPage();
      const log: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') log.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => log.push(`pageerror: ${(e as Error).message}`));
      page.on('requestfailed', (r) => log.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
      return { page, log };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface PageOrigin {
  /** http://localhost:<port> — a different origin from the node's 127.0.0.1 listener */
  origin: string;
  url(p: string): string;
  close(): Promise<void>;
}

/** Serves fixed HTML pages on a port of its own: the "other site" that embeds a player. */
export async function servePages(pages: Record<string, string>): Promise<PageOrigin> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const body = pages[path];
    // Chromium asks every origin for a favicon; an empty answer keeps 404s out of the tests' request logs.
    if (path === '/favicon.ico') res.writeHead(204).end();
    else if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  // 'localhost' vs the node's '127.0.0.1': another origin for the browser's CORS checks.
  const origin = `http://localhost:${port}`;
  return {
    origin,
    url: (p) => `${origin}${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface PlaybackSample {
  decodedFrames: number;
  droppedFrames: number;
  /** Chromium's webkitAudioDecodedByteCount */
  audioBytes: number;
  currentTime: number;
  /** end of the last buffered range minus currentTime: how far behind the newest media the picture is */
  bufferedAhead: number;
  paused: boolean;
  error: string | null;
  /** RGB at the requested point (fractions of the picture), when asked */
  color: [number, number, number] | null;
}

/** What the page's <video> (the first one, or `selector`) has done so far. */
export function samplePlayback(page: Page, point?: { x: number; y: number }, selector = 'video'): Promise<PlaybackSample> {
  return page.evaluate(
    (sel, pt) => {
      const v = document.querySelector(sel) as (HTMLVideoElement & { webkitAudioDecodedByteCount?: number }) | null;
      if (!v) throw new Error(`no ${sel} on the page`);
      const q = v.getVideoPlaybackQuality();
      let color: [number, number, number] | null = null;
      if (pt && v.videoWidth > 0) {
        const c = document.createElement('canvas');
        c.width = v.videoWidth;
        c.height = v.videoHeight;
        const g = c.getContext('2d', { willReadFrequently: true })!;
        g.drawImage(v, 0, 0);
        const d = g.getImageData(Math.floor(pt.x * v.videoWidth), Math.floor(pt.y * v.videoHeight), 1, 1).data;
        color = [d[0]!, d[1]!, d[2]!];
      }
      const b = v.buffered;
      return {
        decodedFrames: q.totalVideoFrames,
        droppedFrames: q.droppedVideoFrames,
        audioBytes: v.webkitAudioDecodedByteCount ?? 0,
        currentTime: v.currentTime,
        bufferedAhead: b.length > 0 ? b.end(b.length - 1) - v.currentTime : 0,
        paused: v.paused,
        error: v.error ? `${v.error.code} ${v.error.message}` : null,
        color,
      };
    },
    selector,
    point ?? null,
  );
}

/** Polls until `done(sample)` or the timeout; returns the last sample (the caller asserts on it). */
export async function waitForPlayback(page: Page, done: (s: PlaybackSample) => boolean, timeoutMs: number, point?: { x: number; y: number }): Promise<PlaybackSample> {
  const deadline = Date.now() + timeoutMs;
  let s = await samplePlayback(page, point);
  while (!done(s) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    s = await samplePlayback(page, point);
  }
  return s;
}

/** smptebars (makeTestFlv pattern 'smptebars'): the red bar is the 6th of 7 across the top two thirds, the blue one the 7th */
export const SMPTE_RED_BAR = { x: 5.5 / 7, y: 0.3 };
export const SMPTE_BLUE_BAR = { x: 6.5 / 7, y: 0.3 };

/**
 * Asserts that the page's <video> plays the smptebars test source: video frames and audio decoded, time
 * advancing by `advanceSeconds`, the red bar and then the blue bar where the pattern has them.
 */
export async function expectColourBarsPlayback(page: Page, log: string[], advanceSeconds = 1): Promise<PlaybackSample> {
  const first = await waitForPlayback(page, (s) => s.decodedFrames >= 25 && s.audioBytes > 0 && s.currentTime > 0.5, 20_000, SMPTE_RED_BAR);
  expect(first.error, log.join('\n')).toBeNull();
  expect(first.decodedFrames, log.join('\n')).toBeGreaterThanOrEqual(25);
  expect(first.audioBytes, log.join('\n')).toBeGreaterThan(0);
  const later = await waitForPlayback(page, (s) => s.currentTime >= first.currentTime + advanceSeconds, 10_000, SMPTE_BLUE_BAR);
  expect(later.currentTime, log.join('\n')).toBeGreaterThanOrEqual(first.currentTime + advanceSeconds);
  expect(later.decodedFrames).toBeGreaterThan(first.decodedFrames);
  const [r, g, b] = first.color!;
  expect(r, `red bar is ${first.color}`).toBeGreaterThan(150);
  expect(g).toBeLessThan(70);
  expect(b).toBeLessThan(70);
  const [r2, g2, b2] = later.color!;
  expect(b2, `blue bar is ${later.color}`).toBeGreaterThan(150);
  expect(r2).toBeLessThan(70);
  expect(g2).toBeLessThan(70);
  return later;
}

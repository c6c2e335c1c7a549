// What the browser benchmarks share: Debian's Chromium headless (the flags of test/support/browser.ts), a
// page served from another origin (players are embedded in other sites) that loads the node's own player
// scripts, and how that page measures a viewer:
//
// - first frame: from the player's start (before load()) to the first requestVideoFrameCallback.
// - behind live: for every presented frame, the wall-clock time it is shown minus the wall-clock time its
//   publisher sent it. FLV: the publisher stamps nothing in the picture, it sends timestamp T at a known
//   wall-clock time (publisherEpochMs + T, PacedPublisher paces by the timestamps); the page taps the bytes
//   mpegts.js receives (fetch / WebSocket) to read the timestamp of the first audio and video frame, which is
//   mpegts.js's zero (its remuxer subtracts the smaller of the two), so a frame at mediaTime m carries
//   T = firstTimestamp + m * 1000. LL-HLS: hls.js's playingDate (the EXT-X-PROGRAM-DATE-TIME of the part
//   being played plus the offset into it; the node stamps the time it received the frame).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

export async function launchBenchBrowser() {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.RTMPC_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Serves the measuring page on a port of its own; the scripts come from `nodeOrigin`. */
export async function serveBenchPage(nodeOrigin) {
  const site = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(benchPage(nodeOrigin)));
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  return { url: `http://localhost:${site.address().port}/player.html`, close: () => site.close() };
}

/**
 * Opens the page in a new tab, starts one player (`kind`: 'flv' | 'ws-flv' | 'hls'), lets it play `settleMs`
 * and returns the page's figures (see summarise).
 */
export async function measureViewer(browser, pageUrl, { kind, url, config, publisherEpochMs = null, settleMs }) {
  const tab = await browser.newPage();
  try {
    await tab.goto(pageUrl);
    await tab.evaluate((k, u, c, e) => window.start(k, u, c, e), kind, url, config, publisherEpochMs);
    await new Promise((r) => setTimeout(r, settleMs));
    return await tab.evaluate(() => window.figures());
  } finally {
    await tab.close();
  }
}

/**
 * First frame, behind live at the first frame and over the last `steadyMs` of the run (median and max), frames.
 * `behindLiveMs` is null when the page could not map frames to the publisher's clock.
 */
export function summarise(f, steadyMs = 2000) {
  const last = f.samples.length ? f.samples[f.samples.length - 1][0] : 0;
  const steady = f.samples.filter(([wall, behind]) => wall >= last - steadyMs && behind !== null).map(([, b]) => b);
  return {
    firstFrameMs: f.firstFrameMs === null ? null : Math.round(f.firstFrameMs),
    behindAtFirstFrameMs: f.samples[0]?.[1] ?? null,
    behindLiveMs: steady.length ? Math.round(median(steady)) : null,
    behindLiveMaxMs: steady.length ? Math.round(Math.max(...steady)) : null,
    bufferedAheadMs: f.bufferedAheadMs,
    frames: f.frames,
    stalls: f.stalls,
    ...(f.hlsLatency !== undefined ? { hlsJsLatencyMs: Math.round(f.hlsLatency * 1000) } : {}),
    ...(f.firstTimestamp !== undefined ? { firstTimestamp: f.firstTimestamp } : {}),
    errors: f.errors,
  };
}

export function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** "min..max" of the finite values */
export function range(values) {
  const v = values.filter(Number.isFinite);
  return v.length ? `${Math.round(Math.min(...v))}..${Math.round(Math.max(...v))}` : '-';
}

function benchPage(nodeOrigin) {
  return `<!doctype html><html><body><video id="v" autoplay playsinline muted></video>
<script src="${nodeOrigin}/play-assets/mpegts.js"></script>
<script src="${nodeOrigin}/play-assets/hls.js"></script>
<script>
  // The FLV tap: the timestamps of the first audio and video frame (not sequence headers) mpegts.js receives.
  const tap = { buf: new Uint8Array(0), pos: -1, first: {}, done: false };
  function feed(chunk) {
    if (tap.done) return;
    const b = new Uint8Array(tap.buf.length + chunk.length);
    b.set(tap.buf); b.set(chunk, tap.buf.length); tap.buf = b;
    if (tap.pos < 0) { if (b.length < 9) return; tap.pos = ((b[5] << 24) | (b[6] << 16) | (b[7] << 8) | b[8]) + 4; }
    while (tap.pos + 11 <= b.length) {
      const p = tap.pos, type = b[p] & 0x1f, size = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
      if (p + 11 + size > b.length) return;
      const ts = ((b[p + 7] << 24) | (b[p + 4] << 16) | (b[p + 5] << 8) | b[p + 6]) >>> 0;
      const d0 = b[p + 11], d1 = b[p + 12];
      let header = true;
      if (type === 9) header = (d0 & 0x80) ? (d0 & 0x0f) === 0 || (d0 & 0x0f) === 4 : d1 === 0;
      else if (type === 8) header = (d0 >> 4) === 9 ? (d0 & 0x0f) === 0 : (d0 >> 4) === 10 && d1 === 0;
      if (!header && (type === 8 || type === 9) && tap.first[type] === undefined) tap.first[type] = ts;
      tap.pos = p + 11 + size + 4;
      if (tap.first[8] !== undefined && tap.first[9] !== undefined) { tap.done = true; tap.buf = new Uint8Array(0); return; }
    }
  }
  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const r = await nativeFetch(input, init);
    if (!r.body || !String(r.url).includes('.flv')) return r;
    const body = r.body.pipeThrough(new TransformStream({ transform(c, ctl) { feed(c); ctl.enqueue(c); } }));
    const out = new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
    Object.defineProperty(out, 'url', { value: r.url });
    return out;
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    set onmessage(fn) { super.onmessage = (e) => { if (e.data instanceof ArrayBuffer) feed(new Uint8Array(e.data)); fn.call(this, e); }; }
    get onmessage() { return super.onmessage; }
  };

  window.start = (kind, url, config, publisherEpochMs) => {
    const v = document.getElementById('v');
    const t0 = performance.now();
    const s = (window.state = { kind, firstFrameMs: null, samples: [], errors: [], stalls: 0 });
    const firstTimestamp = () => (tap.first[9] === undefined ? null : Math.min(tap.first[9], tap.first[8] ?? Infinity));
    const onFrame = (_now, md) => {
      if (s.firstFrameMs === null) s.firstFrameMs = performance.now() - t0;
      const shownAt = Date.now() - (performance.now() - md.expectedDisplayTime);
      let behind = null;
      if (kind === 'hls') behind = s.player.playingDate ? shownAt - s.player.playingDate.getTime() : null;
      else if (firstTimestamp() !== null) behind = shownAt - (publisherEpochMs + firstTimestamp() + md.mediaTime * 1000);
      s.samples.push([shownAt, behind === null ? null : Math.round(behind)]);
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    v.addEventListener('waiting', () => { if (s.firstFrameMs !== null) s.stalls++; });
    if (kind === 'hls') {
      const h = (s.player = new Hls(config));
      h.on(Hls.Events.ERROR, (_e, d) => s.errors.push(d.details));
      h.loadSource(url);
      h.attachMedia(v);
    } else {
      const p = (s.player = mpegts.createPlayer({ type: 'flv', isLive: true, url }, config));
      p.on(mpegts.Events.ERROR, (type, detail) => s.errors.push(type + ' ' + detail));
      p.attachMediaElement(v);
      p.load();
    }
    v.play().catch((e) => s.errors.push('play: ' + e.message));
  };
  window.figures = () => {
    const s = window.state, v = document.getElementById('v'), b = v.buffered;
    return {
      firstFrameMs: s.firstFrameMs,
      samples: s.samples,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      bufferedAheadMs: b.length ? Math.round((b.end(b.length - 1) - v.currentTime) * 1000) : null,
      stalls: s.stalls,
      errors: s.errors,
      ...(s.kind === 'hls' ? { hlsLatency: s.player.latency } : { firstTimestamp: tap.first[9] === undefined ? null : Math.min(tap.first[9], tap.first[8] ?? Infinity) }),
    };
  };
</script></body></html>`;
}

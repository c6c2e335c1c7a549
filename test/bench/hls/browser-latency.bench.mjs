// First frame and latency of LL-HLS in Debian's Chromium with hls.js (lowLatencyMode), the way the issue's
// figures were measured: one viewer, a 720p30 2.1 Mbit/s stream, the page on another origin, a warm node (the
// stream is already muxed, as for every viewer after the first). Several runs per PART-HOLD-BACK setting.
//
//   npm run bench:hls-browser            # 4 runs each with RTMPC_HLS_PART_HOLD_BACK 3 and 2
//   HLS_RUNS=8 npm run bench:hls-browser
//   HLS_TRACE=1 ...                      # a stalled run prints hls.js's loads and the node keeps a debug log
// (npm run bench:web-browser measures LL-HLS next to HTTP-FLV and WS-FLV and records the results; this one
// traces hls.js's loads, for finding out why a run is slow.)
import http from 'node:http';
import os from 'node:os';
import { launchBenchBrowser } from '../browser/BrowserBench.mjs';
import { sleep, startHlsBenchNode } from './HlsBenchNode.mjs';

const RUNS = Number(process.env.HLS_RUNS ?? 4);
const HOLD_BACKS = (process.env.HLS_HOLD_BACKS ?? '3,2').split(',').map(Number);
/** how long a viewer plays before its latency is read (hls.js catches up at up to 1.5x meanwhile) */
const SETTLE_MS = 8000;


function page(nodeOrigin) {
  return `<!doctype html><html><body><video id="v" autoplay playsinline muted></video>
<script src="${nodeOrigin}/play-assets/hls.js"></script>
<script>
  window.start = (url) => {
    const v = document.getElementById('v');
    const t0 = performance.now();
    window.firstFrameMs = null;
    v.requestVideoFrameCallback(() => { window.firstFrameMs = performance.now() - t0; });
    const tr = (m) => window.trace && window.trace.push(Math.round(performance.now() - t0) + ' ' + m);
    const hls = new Hls({ lowLatencyMode: true, maxLiveSyncPlaybackRate: 1.5, xhrSetup: (xhr, u) => {
      const name = u.split('/').pop().replace(/session=[^&]*&?/, '');
      tr('open ' + name);
      xhr.addEventListener('loadend', () => tr('end ' + xhr.status + ' ' + name));
      xhr.addEventListener('abort', () => tr('abort ' + name));
    } });
    window.hls = hls;
    window.errors = [];
    hls.on(Hls.Events.ERROR, (e, d) => window.errors.push(d.details + (d.response ? ' ' + d.response.code : '') + (d.frag ? ' ' + d.frag.relurl : d.url ? ' ' + d.url.split('/').pop() : '')));
    window.trace = [];
    const tt = () => Math.round(performance.now() - t0);
    hls.on(Hls.Events.FRAG_LOADED, (e, d) => window.trace.push(tt() + ' loaded ' + d.frag.sn + (d.part ? '.' + d.part.index : '')));
    hls.on(Hls.Events.LEVEL_LOADED, (e, d) => window.trace.push(tt() + ' level ' + d.details.endSN + '/' + (d.details.partList ? d.details.partList.length : 0)));
    v.addEventListener('waiting', () => { const b = v.buffered; const r = []; for (let i = 0; i < b.length; i++) r.push(b.start(i).toFixed(2) + '-' + b.end(i).toFixed(2)); window.trace.push(tt() + ' waiting at ' + v.currentTime.toFixed(2) + ' buffered ' + r.join(',')); });
    hls.loadSource(url);
    hls.attachMedia(v);
    v.play().catch(() => {});
  };
  window.figures = () => ({
    firstFrameMs: window.firstFrameMs,
    latency: window.hls.latency,
    behindLiveMs: window.hls.playingDate ? Date.now() - window.hls.playingDate.getTime() : null,
    frames: document.getElementById('v').getVideoPlaybackQuality().totalVideoFrames,
    errors: window.errors,
    trace: window.trace,
  });
</script></body></html>`;
}

async function runNode(holdBack, browser) {
  const node = await startHlsBenchNode({
    RTMPC_LOG_LEVEL: process.env.HLS_TRACE ? 'debug' : 'warn',
    RTMPC_HLS_PART_HOLD_BACK: String(holdBack),
    RTMPC_HLS_DELTA_UPDATES: process.env.HLS_DELTA ?? 'true',
  });
  const playlist = node.playlist;
  const site = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page(node.origin)));
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  try {
    const results = [];
    for (let i = 0; i < RUNS; i++) {
      const tab = await browser.newPage();
      await tab.goto(`http://localhost:${site.address().port}/player.html`);
      await tab.evaluate((u) => window.start(u), playlist);
      await sleep(SETTLE_MS);
      const f = await tab.evaluate(() => window.figures());
      results.push(f);
      if (f.frames < 150 && process.env.HLS_TRACE) console.log(f.trace.join('\n'));
      console.log(`  hold-back ${holdBack} run ${i + 1}: first frame ${Math.round(f.firstFrameMs)} ms, hls.js latency ${f.latency.toFixed(2)} s, behind live (program date) ${f.behindLiveMs} ms, ${f.frames} frames${f.errors.length ? `; player errors: ${f.errors.join(', ')}` : ''}`);
      await tab.close();
    }
    const fmt = (xs) => `${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)}`;
    console.log(`PART-HOLD-BACK ${holdBack} parts (${(holdBack * 0.2).toFixed(1)} s): first frame ${fmt(results.map((r) => r.firstFrameMs))} ms, hls.js latency ${fmt(results.map((r) => r.latency * 1000))} ms, behind live ${fmt(results.map((r) => r.behindLiveMs))} ms over ${RUNS} runs`);
  } finally {
    site.close();
    if (process.env.HLS_TRACE) console.log(`node log: ${node.logFile}`);
    await node.stop({ keepLog: Boolean(process.env.HLS_TRACE) });
  }
}

async function main() {
  const chromium = await launchBenchBrowser();
  try {
    console.log(`machine load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    for (const hb of HOLD_BACKS) await runNode(hb, chromium.browser);
  } finally {
    await chromium.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

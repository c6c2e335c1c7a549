/**
 * GET /play/APP/NAME: a page that plays the stream with the node's own scripts. It picks the transport by
 * itself: HTTP-FLV through mpegts.js where Media Source Extensions exist (lowest latency), LL-HLS through
 * hls.js when FLV fails or stalls, the browser's native HLS where there is no MSE (iOS). `?mode=flv|ws|hls`
 * forces one; every other query parameter (a play `token`) is passed on to the stream URLs.
 */
import type { WebHttpContext, WebRoute } from '../WebRoute.js';
import { PLAYER_ASSETS_PREFIX } from './PlayerAssets.js';
import { FLV_PLAYER_CONFIG, hlsPlayerConfig, type LowLatencyHlsTiming } from './PlayerConfig.js';

export const PLAYER_PAGE_PATH = /^\/play\/(?<app>[^/]+)\/(?<name>.+)$/;

/** `hlsTiming`: what this node's LL-HLS playlists advertise, for hls.js's latency target */
export function playerPageRoute(hlsTiming: LowLatencyHlsTiming): WebRoute {
  return {
    name: 'player-page',
    pattern: PLAYER_PAGE_PATH,
    handle(ctx: WebHttpContext): void {
      const app = ctx.params['app']!;
      const name = ctx.params['name']!;
      const query = new URLSearchParams(ctx.query);
      const mode = query.get('mode') ?? 'auto';
      query.delete('mode');
      const qs = query.size > 0 ? `?${query.toString()}` : '';
      const base = `/${encodeURIComponent(app)}/${name.split('/').map(encodeURIComponent).join('/')}`;
      const config = {
        flv: `${base}.flv${qs}`,
        hls: `${base}/index.m3u8${qs}`,
        mode: ['flv', 'ws', 'hls'].includes(mode) ? mode : 'auto',
        flvPlayer: FLV_PLAYER_CONFIG,
        hlsPlayer: hlsPlayerConfig(hlsTiming),
      };
      ctx.res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; media-src 'self' blob:; connect-src 'self' ws: wss:; worker-src 'self' blob:; style-src 'unsafe-inline'",
        })
        .end(page(`${app}/${name}`, config));
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, config: { flv: string; hls: string; mode: string; flvPlayer: object; hlsPlayer: object }): string {
  // JSON in a <script>: '<' escaped so a stream name cannot close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>html,body{margin:0;height:100%;background:#000;color:#ccc;font:14px sans-serif}video{width:100%;height:100%;object-fit:contain}
#status{position:fixed;left:8px;bottom:8px;opacity:.7}</style></head>
<body><video id="video" autoplay playsinline controls></video><div id="status"></div>
<script src="${PLAYER_ASSETS_PREFIX}mpegts.js"></script>
<script src="${PLAYER_ASSETS_PREFIX}hls.js"></script>
<script>
(() => {
  const cfg = ${json};
  const video = document.getElementById('video');
  const status = document.getElementById('status');
  const state = (window.rtmpcPlayer = { mode: null, tried: [], errors: [] });
  let stop = () => {};
  let watchdog = 0;
  const hasMse = !!(window.MediaSource || window.ManagedMediaSource);
  const flvOk = hasMse && window.mpegts && mpegts.isSupported();
  const hlsOk = hasMse && window.Hls && Hls.isSupported();
  const nativeHls = !!video.canPlayType('application/vnd.apple.mpegurl');
  const order = cfg.mode === 'auto' ? [flvOk && 'flv', hlsOk && 'hls', nativeHls && 'native-hls'].filter(Boolean) : [cfg.mode];
  const show = (t) => { status.textContent = t; };
  const play = () => video.play().catch(() => { video.muted = true; return video.play().catch(() => show('click to play')); });
  function next(reason) {
    if (reason) state.errors.push(reason);
    stop();
    const mode = order.find((m) => !state.tried.includes(m));
    if (!mode) { show('cannot play: ' + (state.errors.join('; ') || 'no supported player')); return; }
    state.tried.push(mode);
    state.mode = mode;
    show(mode);
    if (mode === 'flv' || mode === 'ws') {
      const url = mode === 'ws' ? location.origin.replace(/^http/, 'ws') + cfg.flv : cfg.flv;
      const p = mpegts.createPlayer({ type: 'flv', isLive: true, url }, cfg.flvPlayer);
      p.on(mpegts.Events.ERROR, (type, detail) => next(mode + ': ' + type + ' ' + detail));
      p.attachMediaElement(video);
      p.load();
      play();
      stop = () => { p.destroy(); };
    } else if (mode === 'hls') {
      const h = new Hls(cfg.hlsPlayer);
      h.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) next('hls: ' + d.type + ' ' + d.details); });
      h.loadSource(cfg.hls);
      h.attachMedia(video);
      h.on(Hls.Events.MANIFEST_PARSED, play);
      stop = () => { h.destroy(); };
    } else {
      video.src = cfg.hls;
      play();
      stop = () => { video.removeAttribute('src'); video.load(); };
    }
    // A transport that shows no progress for 8 s gives way to the next one.
    let last = -1, still = 0;
    clearInterval(watchdog);
    watchdog = setInterval(() => {
      if (video.currentTime !== last) { last = video.currentTime; still = 0; return; }
      if (++still >= 8) next(mode + ': no progress for 8 s');
    }, 1000);
  }
  video.addEventListener('click', () => { video.muted = false; });
  next();
})();
</script></body></html>
`;
}

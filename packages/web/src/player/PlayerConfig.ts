/**
 * How the player scripts are configured for live playback: the /play page embeds these, and the browser
 * benchmark (test/bench/browser) plays with the same objects, so the figures in docs/PERFORMANCE.md are what
 * the page's viewers get.
 */

/** mpegts.js (HTTP-FLV and WS-FLV) */
export const FLV_PLAYER_CONFIG = {
  // no stash: every received tag goes to the demuxer at once (the stash delays the first frame)
  enableStashBuffer: false,
  liveBufferLatencyChasing: true,
  liveBufferLatencyMaxLatency: 1.2,
  liveBufferLatencyMinRemain: 0.3,
} as const;

/** hls.js (LL-HLS) */
export const HLS_PLAYER_CONFIG = {
  lowLatencyMode: true,
  backBufferLength: 10,
} as const;

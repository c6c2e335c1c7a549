/**
 * How the player scripts are configured for live playback: the /play page embeds these, and the browser
 * benchmark (test/bench/browser) plays with the same objects, so the figures in docs/PERFORMANCE.md are what
 * the page's viewers get.
 */

/** mpegts.js (HTTP-FLV and WS-FLV) */
export const FLV_PLAYER_CONFIG = {
  // no stash: every received tag goes to the demuxer at once (the stash delays the first frame)
  enableStashBuffer: false,
  // fetch the stream while the MediaSource opens, not after (first frame 136-245 ms against 140-450 ms in
  // one alternated run of bench:web-browser)
  deferLoadAfterSourceOpen: false,
  // A viewer starts at the GOP cache's keyframe, up to a GOP (1-2 s) behind live. Playing 1.2x while more
  // than 0.4 s is buffered brings it to 0.25 s within a few seconds without a jump or a stall; seeking there
  // (liveBufferLatencyChasing at 0.5 s) stalled the picture in a third of the benchmark runs.
  liveSync: true,
  liveSyncMaxLatency: 0.4,
  liveSyncTargetLatency: 0.25,
  liveSyncPlaybackRate: 1.2,
  // the jump, only for a viewer that fell far behind (a stalled tab, a network hiccup)
  liveBufferLatencyChasing: true,
  liveBufferLatencyMaxLatency: 1.5,
  liveBufferLatencyMinRemain: 0.3,
} as const;

/** What the LL-HLS playlists of this node advertise (EXT-X-PART-INF, EXT-X-SERVER-CONTROL). */
export interface LowLatencyHlsTiming {
  partTargetSeconds: number;
  partHoldBackSeconds: number;
}

/**
 * hls.js (LL-HLS). hls.js starts at the independent part before its target position (the segment's keyframe, up
 * to a GOP earlier) and only speeds up while more than 1 s is buffered, so without a bound a viewer stayed 1.1-1.7 s
 * behind live. Its target stays PART-HOLD-BACK; a viewer more than two parts behind that jumps back to it.
 */
export function hlsPlayerConfig(timing: LowLatencyHlsTiming): Record<string, unknown> {
  const ms = (seconds: number): number => Math.round(seconds * 1000) / 1000;
  return {
    lowLatencyMode: true,
    backBufferLength: 10,
    liveSyncDuration: ms(timing.partHoldBackSeconds),
    liveMaxLatencyDuration: ms(timing.partHoldBackSeconds + 2 * timing.partTargetSeconds),
    maxLiveSyncPlaybackRate: 1.5,
  };
}

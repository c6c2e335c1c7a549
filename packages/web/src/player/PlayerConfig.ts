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
 * hls.js (LL-HLS). hls.js starts at the independent part before its target position (the segment's keyframe, up to
 * a GOP earlier) and seeks forward, but it only speeds up while more than 1 s is buffered: a viewer stays about as
 * far behind live as it started, and its start lands 0.1-0.4 s behind the target (the time the first parts take).
 * With the target at PART-HOLD-BACK (3 parts, 0.6 s) viewers sat 0.67-0.99 s behind live by hls.js's own measure
 * and the benchmark's 0.77-1.01 s, and those near the bound jumped back with a stall. So the target is one part
 * closer than PART-HOLD-BACK, never closer than two parts (the spec's minimum hold-back): 0.49-0.76 s idle and
 * 0.60-0.82 s with both cores busy, no stall in 28 runs (hls.js measures from the playlist's end plus its age, so
 * this is still a part or more behind the newest complete part). A viewer more than two parts behind
 * PART-HOLD-BACK (a stalled tab) jumps back to the target.
 */
export function hlsPlayerConfig(timing: LowLatencyHlsTiming): Record<string, unknown> {
  const ms = (seconds: number): number => Math.round(seconds * 1000) / 1000;
  const part = timing.partTargetSeconds;
  return {
    lowLatencyMode: true,
    // The node's parts are fMP4 that hls.js passes through without transmuxing; its worker only delays the start
    // (200-500 ms to start it). Without it, 12 alternated viewers (bench:web-browser, 2026-12-05): first frame
    // 180-522 ms and 0.61-0.81 s behind live, against 331-799 ms and 0.71-1.02 s.
    enableWorker: false,
    backBufferLength: 10,
    liveSyncDuration: ms(Math.max(2 * part, timing.partHoldBackSeconds - part)),
    liveMaxLatencyDuration: ms(timing.partHoldBackSeconds + 2 * part),
    maxLiveSyncPlaybackRate: 1.5,
  };
}

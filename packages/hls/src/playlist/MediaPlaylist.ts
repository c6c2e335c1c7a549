import type { MediaWindow } from '../MediaWindow.js';

export interface PlaylistSettings {
  targetDurationSeconds: number;
  partTargetSeconds: number;
  /** PART-HOLD-BACK in part targets: how far behind the newest part players stay (default 3) */
  partHoldBackParts?: number;
  /** advertise CAN-SKIP-UNTIL and answer _HLS_skip with delta updates (default true) */
  deltaUpdates?: boolean;
}

export interface PlaylistRequestOptions {
  /** _HLS_skip=YES: a delta update that leaves out segments older than CAN-SKIP-UNTIL */
  skip?: boolean;
  /** appended to every media URI (e.g. 'session=abc'), without '?' */
  uriQuery?: string;
}

/** Parts are listed for segments this close to the live edge (the spec asks for at least three target durations). */
const PART_LISTING_TARGET_DURATIONS = 3;
/**
 * PART-HOLD-BACK in part targets: the spec requires at least 2 and recommends 3. 3 by default: with 2 (0.4 s)
 * hls.js played 0.51-0.78 s behind live against 0.77-1.0 s with 3 (bench:web-browser, docs/PERFORMANCE.md), but
 * one part arriving late stalled it.
 */
export const DEFAULT_PART_HOLD_BACK_PARTS = 3;
export const MIN_PART_HOLD_BACK_PARTS = 2;
/** CAN-SKIP-UNTIL in target durations (the spec requires at least 6). */
export const SKIP_UNTIL_TARGET_DURATIONS = 6;

export function segmentUri(msn: number): string {
  return `seg-${msn}.m4s`;
}
export function partUri(msn: number, index: number): string {
  return `part-${msn}.${index}.m4s`;
}

/** PART-HOLD-BACK in seconds: the configured parts, never below the spec's minimum of two */
export function partHoldBackSeconds(settings: PlaylistSettings): number {
  return settings.partTargetSeconds * Math.max(MIN_PART_HOLD_BACK_PARTS, settings.partHoldBackParts ?? DEFAULT_PART_HOLD_BACK_PARTS);
}

function seconds(v: number): string {
  return v.toFixed(3);
}

function withQuery(uri: string, query: string | undefined): string {
  return query ? `${uri}?${query}` : uri;
}

/**
 * Renders the LL-HLS media playlist of a window (RFC 8216bis): server control, part info,
 * segments with their dates, parts near the live edge, the open segment's parts and a preload
 * hint for the next part. Everything in it is derived from the window, so nodes with the same
 * window render the same text (the session query aside).
 */
export function renderMediaPlaylist(window: MediaWindow, settings: PlaylistSettings, options: PlaylistRequestOptions = {}): string {
  const segments = window.list;
  const td = settings.targetDurationSeconds;
  const skipUntil = td * SKIP_UNTIL_TARGET_DURATIONS;
  const q = options.uriQuery;
  const deltas = settings.deltaUpdates ?? true;
  const lines: string[] = [
    '#EXTM3U',
    '#EXT-X-VERSION:9',
    `#EXT-X-TARGETDURATION:${td}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${seconds(partHoldBackSeconds(settings))}${deltas ? `,CAN-SKIP-UNTIL=${skipUntil.toFixed(1)}` : ''}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(settings.partTargetSeconds)}`,
    `#EXT-X-MEDIA-SEQUENCE:${segments[0]?.msn ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${window.discontinuitySequence}`,
  ];

  // Time from each segment's start to the live edge decides what is skipped and which parts are listed.
  const liveEdge: number[] = new Array(segments.length);
  let acc = 0;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    acc += s.complete ? s.duration : s.parts.reduce((n, p) => n + p.duration, 0);
    liveEdge[i] = acc;
  }

  let first = 0;
  if (options.skip && deltas) {
    // Skip complete segments that start more than CAN-SKIP-UNTIL before the live edge, but not past a
    // discontinuity (its tag would be lost with it).
    while (first < segments.length && segments[first]!.complete && liveEdge[first]! > skipUntil && !(first > 0 && segments[first]!.discontinuity)) first++;
    if (first > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${first}`);
  }

  let currentInit: string | undefined;
  for (let i = first; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
    if (s.initName !== currentInit) {
      lines.push(`#EXT-X-MAP:URI="${withQuery(s.initName, q)}"`);
      currentInit = s.initName;
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.dateMs).toISOString()}`);
    const listParts = !s.complete || liveEdge[i]! - s.duration <= td * PART_LISTING_TARGET_DURATIONS;
    if (listParts) {
      for (const p of s.parts) {
        lines.push(`#EXT-X-PART:DURATION=${seconds(p.duration)},URI="${withQuery(partUri(p.msn, p.index), q)}"${p.independent ? ',INDEPENDENT=YES' : ''}`);
      }
    }
    if (s.complete) {
      lines.push(`#EXTINF:${seconds(s.duration)},`);
      lines.push(withQuery(segmentUri(s.msn), q));
    }
  }
  const last = segments[segments.length - 1];
  if (last !== undefined && !window.isEnded) {
    // The next part is either the open segment's next one or the first of the next segment.
    const hint = last.complete ? partUri(last.msn + 1, 0) : partUri(last.msn, last.parts.length);
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${withQuery(hint, q)}"`);
  }
  return lines.join('\n') + '\n';
}

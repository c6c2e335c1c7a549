import type { MediaWindow } from '../MediaWindow.js';

/**
 * A joining player is held while the open segment has less than this many part targets to go.
 *
 * Why: hls.js (1.7.4) starts in the open segment when PART-HOLD-BACK reaches back into it and loads its listed
 * parts in one go. Its first parse is slow (the transmux worker starts, 200-500 ms). If the segment completes in
 * a playlist reload before those parts are buffered, hls.js files them under the complete segment, and its
 * fragment tracker (which pads buffered ranges by 0.2 s) counts a segment missing only its last part as fully
 * buffered: it never loads that part and stalls for good. That happens when the first load ends one part short of
 * the segment's end, so at most two parts were still to come when the player joined. Held until the segment
 * completes, the player joins on a complete segment and loads all of its parts.
 */
export const JOIN_TAIL_PARTS = 2.5;

/** The longest a joining viewer waits for that, in part targets: past it, the player joins where the stream is. */
export const JOIN_HOLD_PARTS = 4;

/**
 * Whether a player that joins now should wait for the open segment to complete (JOIN_TAIL_PARTS). The open
 * segment's length is taken to be the previous segment's (the segment grid makes them alike); without a complete
 * previous segment, or when the stream ended, nobody waits.
 */
export function openSegmentEndsSoon(window: MediaWindow, partTargetSeconds: number): boolean {
  const list = window.list;
  const open = list[list.length - 1];
  const previous = list[list.length - 2];
  if (open === undefined || open.complete || open.parts.length === 0 || previous === undefined || !previous.complete || window.isEnded) return false;
  let listed = 0;
  for (const p of open.parts) listed += p.duration;
  return previous.duration - listed < JOIN_TAIL_PARTS * partTargetSeconds;
}

/**
 * Where a stream's timeline sits in the cluster: the numbers every node derives segment numbers
 * and dates from. The same anchor and the same packets give the same MSNs, parts and bytes on
 * every node, whenever the node started pulling.
 */
export interface TimelineAnchor {
  /** the registry's fencing epoch of the publish (0 on a single node) */
  readonly epoch: number;
  /** wall-clock ms (Unix) of the publish start as the registry recorded it: the date of timeline time `originTs` */
  readonly startedAtMs: number;
  /** the stream timestamp (ms) the grid of segments and parts is counted from */
  readonly originTs: number;
}

export interface SegmentationOptions {
  /** segment grid, ms (default 1000): a segment starts in each grid cell */
  segmentMs?: number;
  /** part grid, ms (default 200, at most 500) */
  partMs?: number;
  /**
   * how long after a grid line a segment waits for a keyframe before it starts on any frame, ms
   * (default half the segment grid). A keyframe inside this window starts the segment.
   */
  keyframeWaitMs?: number;
}

export interface ResolvedSegmentation {
  readonly segmentMs: number;
  readonly partMs: number;
  readonly keyframeWaitMs: number;
}

export function resolveSegmentation(o: SegmentationOptions = {}): ResolvedSegmentation {
  const segmentMs = o.segmentMs ?? 1000;
  const partMs = o.partMs ?? 200;
  const keyframeWaitMs = o.keyframeWaitMs ?? Math.floor(segmentMs / 2);
  if (!Number.isInteger(partMs) || partMs < 50 || partMs > 500) throw new RangeError(`partMs must be an integer in 50..500, got ${partMs}`);
  if (!Number.isInteger(segmentMs) || segmentMs < partMs || segmentMs > 10_000 || segmentMs % partMs !== 0) {
    throw new RangeError(`segmentMs must be a multiple of partMs (${partMs}) up to 10000, got ${segmentMs}`);
  }
  if (!Number.isInteger(keyframeWaitMs) || keyframeWaitMs < 0 || keyframeWaitMs >= segmentMs) {
    throw new RangeError(`keyframeWaitMs must be an integer in 0..segmentMs-1, got ${keyframeWaitMs}`);
  }
  return { segmentMs, partMs, keyframeWaitMs };
}

/** Longest possible segment: a full grid cell plus the keyframe wait, plus one frame of slack. */
export function targetDurationSeconds(s: ResolvedSegmentation): number {
  return Math.ceil((s.segmentMs + s.keyframeWaitMs + 100) / 1000);
}

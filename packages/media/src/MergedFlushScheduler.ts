/** Anything with a queue the scheduler can flush. */
export interface Flushable {
  /** set by the scheduler while the object sits in its dirty list */
  flushPending: boolean;
  flushQueue(): void;
}

/**
 * Boundary flushes (flushAtBoundary) stop while flush cycles take more than this share of the node's time, and
 * start again below BOUNDARY_FLUSH_RESUME_SHARE. A busy node's cycle of writes to every player is long, and
 * merging over the window then saves more CPU (several frames per write) than writing each video frame at once
 * gains in latency. Measured with the fan-out benchmark (docs/PERFORMANCE.md): with the window alone, cycles
 * fill 0.34-0.47 of the time at 1,000 players and 0.41-0.67 at 2,000; always flushing at boundaries cost 35-40%
 * more CPU at 2,000 players, and with these shares 2,000 players merge as before (same CPU) while 1,000 get
 * their frames in half the time for 10% more CPU.
 */
export const BOUNDARY_FLUSH_STOP_SHARE = 0.55;
export const BOUNDARY_FLUSH_RESUME_SHARE = 0.45;
/** how often that share is measured, ms */
const BUSY_SLICE_MS = 500;
/** audio waits for a video frame only if one ended this recently, ms */
const RECENT_BOUNDARY_MS = 1000;

export interface MergedFlushOptions {
  /** the merge window, ms: 0 = the next setImmediate */
  windowMs: number;
  /** flushAtBoundary() ends the window (while the node has time to spare) */
  boundaryFlushes?: boolean;
  /** a monotonic clock in ms (tests inject one) */
  now?: () => number;
}

/**
 * One flush cycle for the whole hub: subscribers that got data since the last
 * cycle are flushed together (one writev each) when the merge window ends.
 * Window 0 means the next setImmediate, so everything pushed in the same turn
 * of the event loop (a chunk of publisher input) goes out in one write. With
 * boundary flushes, the end of each video frame ends the window, and the window
 * only bounds how long audio and data wait for the next frame.
 */
export class MergedFlushScheduler {
  private dirty: Flushable[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly windowMs: number;
  private readonly boundaryFlushesConfigured: boolean;
  private readonly now: () => number;
  /** boundary flushes configured and the node not too busy for them */
  private boundaryFlushing: boolean;
  /** start of the current measuring slice and the time spent in flush cycles since, ms */
  private sliceStart: number;
  private sliceBusyMs = 0;
  /** when flushAtBoundary() last flushed, ms */
  private lastBoundary = -Infinity;
  private readonly runCycle = (): void => {
    this.immediate = null;
    this.timer = null;
    this.flushAll();
  };

  constructor(options: MergedFlushOptions) {
    this.windowMs = options.windowMs;
    this.boundaryFlushesConfigured = options.boundaryFlushes ?? false;
    this.boundaryFlushing = this.boundaryFlushesConfigured;
    this.now = options.now ?? (() => performance.now());
    this.sliceStart = this.now();
  }

  /** whether the end of a video frame currently ends the window */
  get flushesAtBoundaries(): boolean {
    return this.boundaryFlushing;
  }

  markDirty(target: Flushable): void {
    if (target.flushPending) return;
    target.flushPending = true;
    this.dirty.push(target);
    if (this.immediate !== null || this.timer !== null) return;
    if (this.windowMs === 0) this.immediate = setImmediate(this.runCycle);
    // While video frames end the window, the timer only bounds how long audio waits for the next frame: twice the
    // window lets the audio between two frames of 30 fps video ride with the next one instead of going alone. Without
    // video frames lately (audio-only streams) there is nothing to wait for.
    else this.timer = setTimeout(this.runCycle, this.boundaryFlushing && this.now() - this.lastBoundary < RECENT_BOUNDARY_MS ? this.windowMs * 2 : this.windowMs);
  }

  /**
   * What is queued goes out on the next event-loop turn instead of waiting for the rest of the window (a relay's
   * input, which the origin already merged).
   */
  flushSoon(): void {
    if (this.dirty.length === 0 || this.immediate !== null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.immediate = setImmediate(this.runCycle);
  }

  /**
   * The end of a video frame: with boundary flushes on and the node not too busy (BOUNDARY_FLUSH_STOP_SHARE), the
   * frame is not held, and the audio queued since the last write rides with it.
   */
  flushAtBoundary(): void {
    if (!this.boundaryFlushing) return;
    this.lastBoundary = this.now();
    this.flushSoon();
  }

  flushAll(): void {
    const batch = this.dirty;
    this.dirty = [];
    // timed only when boundary flushes are configured: the default cycle reads no clock
    const start = this.boundaryFlushesConfigured ? this.now() : 0;
    for (let i = 0; i < batch.length; i++) {
      const target = batch[i]!;
      target.flushPending = false;
      target.flushQueue();
    }
    if (this.boundaryFlushesConfigured) this.measure(start, this.now());
  }

  cancel(): void {
    if (this.immediate !== null) clearImmediate(this.immediate);
    if (this.timer !== null) clearTimeout(this.timer);
    this.immediate = null;
    this.timer = null;
    for (const target of this.dirty) target.flushPending = false;
    this.dirty = [];
  }

  private measure(cycleStart: number, cycleEnd: number): void {
    this.sliceBusyMs += cycleEnd - cycleStart;
    const slice = cycleEnd - this.sliceStart;
    if (slice < BUSY_SLICE_MS) return;
    const share = this.sliceBusyMs / slice;
    if (share > BOUNDARY_FLUSH_STOP_SHARE) this.boundaryFlushing = false;
    else if (share < BOUNDARY_FLUSH_RESUME_SHARE) this.boundaryFlushing = true;
    this.sliceStart = cycleEnd;
    this.sliceBusyMs = 0;
  }
}

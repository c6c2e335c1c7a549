/** Anything with a queue the scheduler can flush. */
export interface Flushable {
  /** set by the scheduler while the object sits in its dirty list */
  flushPending: boolean;
  flushQueue(): void;
}

/**
 * One flush cycle for the whole hub: subscribers that got data since the last
 * cycle are flushed together (one writev each) when the merge window ends.
 * Window 0 means the next setImmediate, so everything pushed in the same turn
 * of the event loop (a chunk of publisher input) goes out in one write. With
 * flushSoon() at media boundaries the window only bounds how long audio and
 * data wait for the next video frame.
 */
export class MergedFlushScheduler {
  private dirty: Flushable[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly runCycle = (): void => {
    this.immediate = null;
    this.timer = null;
    this.flushAll();
  };

  constructor(private readonly windowMs: number) {}

  markDirty(target: Flushable): void {
    if (target.flushPending) return;
    target.flushPending = true;
    this.dirty.push(target);
    if (this.immediate !== null || this.timer !== null) return;
    if (this.windowMs > 0) this.timer = setTimeout(this.runCycle, this.windowMs);
    else this.immediate = setImmediate(this.runCycle);
  }

  /**
   * A media boundary (the end of a video frame): what is queued goes out on the next event-loop turn
   * instead of waiting for the rest of the window, so the frame is not held and the audio queued since the
   * last write rides with it.
   */
  flushSoon(): void {
    if (this.dirty.length === 0 || this.immediate !== null) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.immediate = setImmediate(this.runCycle);
  }

  flushAll(): void {
    const batch = this.dirty;
    this.dirty = [];
    for (let i = 0; i < batch.length; i++) {
      const target = batch[i]!;
      target.flushPending = false;
      target.flushQueue();
    }
  }

  cancel(): void {
    if (this.immediate !== null) clearImmediate(this.immediate);
    if (this.timer !== null) clearTimeout(this.timer);
    this.immediate = null;
    this.timer = null;
    for (const target of this.dirty) target.flushPending = false;
    this.dirty = [];
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { BOUNDARY_FLUSH_RESUME_SHARE, BOUNDARY_FLUSH_STOP_SHARE, MergedFlushScheduler, type Flushable } from '../src/MergedFlushScheduler.js';

/** A clock the test moves: a flush "costs" what the target adds to it, the time between cycles what the test adds. */
class TestClock {
  ms = 1000;
  readonly now = (): number => this.ms;
}

class CostlyTarget implements Flushable {
  flushPending = false;
  flushes = 0;
  constructor(
    private readonly clock: TestClock,
    public costMs: number,
  ) {}
  flushQueue(): void {
    this.flushes++;
    this.clock.ms += this.costMs;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let scheduler: MergedFlushScheduler | undefined;
afterEach(() => {
  scheduler?.cancel();
  vi.useRealTimers();
});

/** Frames every 33 ms for `seconds`, each flushed at its boundary, each cycle costing the target's cost. */
async function playFrames(s: MergedFlushScheduler, clock: TestClock, target: CostlyTarget, seconds: number): Promise<void> {
  for (let t = 0; t < seconds * 1000; t += 33) {
    s.markDirty(target);
    s.flushAll();
    clock.ms += 33 - target.costMs;
  }
  await nextTurn();
}

describe('MergedFlushScheduler: flushes at media boundaries while the node has time', () => {
  it('a boundary flush writes on the next turn, not at the end of the window', async () => {
    const clock = new TestClock();
    scheduler = new MergedFlushScheduler({ windowMs: 10_000, boundaryFlushes: true, now: clock.now });
    const target = new CostlyTarget(clock, 1);
    scheduler.markDirty(target);
    await nextTurn();
    expect(target.flushes).toBe(0); // held by the window
    scheduler.flushAtBoundary();
    await nextTurn();
    expect(target.flushes).toBe(1);
  });

  it('stops while flush cycles fill more than the busy share of the time, and starts again when they do not', async () => {
    const clock = new TestClock();
    scheduler = new MergedFlushScheduler({ windowMs: 10_000, boundaryFlushes: true, now: clock.now });
    // 20 ms of writing in every 33 ms: 61%, above the share where they stop
    const target = new CostlyTarget(clock, 20);
    expect(20 / 33).toBeGreaterThan(BOUNDARY_FLUSH_STOP_SHARE);
    await playFrames(scheduler, clock, target, 1);
    expect(scheduler.flushesAtBoundaries).toBe(false);
    const before = target.flushes;
    scheduler.markDirty(target);
    scheduler.flushAtBoundary();
    await nextTurn();
    expect(target.flushes).toBe(before); // the window decides now
    scheduler.flushAll();

    // 16 ms in 33 (48%): between the two shares, so still merging
    target.costMs = 16;
    expect(16 / 33).toBeGreaterThan(BOUNDARY_FLUSH_RESUME_SHARE);
    await playFrames(scheduler, clock, target, 1);
    expect(scheduler.flushesAtBoundaries).toBe(false);
    // 2 ms in 33: the node has time again
    target.costMs = 2;
    await playFrames(scheduler, clock, target, 1);
    expect(scheduler.flushesAtBoundaries).toBe(true);
    scheduler.markDirty(target);
    scheduler.flushAtBoundary();
    await nextTurn();
    expect(target.flushes).toBeGreaterThan(before + 1);
  });

  it('audio waits twice the window for a video frame only while video frames come', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const clock = new TestClock();
    scheduler = new MergedFlushScheduler({ windowMs: 20, boundaryFlushes: true, now: clock.now });
    const audio = new CostlyTarget(clock, 0);
    // no video frame yet (an audio-only stream): the window
    scheduler.markDirty(audio);
    await vi.advanceTimersByTimeAsync(20);
    expect(audio.flushes).toBe(1);
    // a video frame ended just now: audio queued after it waits up to 40 ms for the next one
    scheduler.flushAtBoundary();
    scheduler.markDirty(audio);
    await vi.advanceTimersByTimeAsync(20);
    expect(audio.flushes).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(audio.flushes).toBe(2);
    // no video frame for over a second: the window again
    clock.ms += 1500;
    scheduler.markDirty(audio);
    await vi.advanceTimersByTimeAsync(20);
    expect(audio.flushes).toBe(3);
  });

  it('without boundary flushes configured, flushAtBoundary leaves it to the window', async () => {
    const clock = new TestClock();
    scheduler = new MergedFlushScheduler({ windowMs: 10_000, now: clock.now });
    const target = new CostlyTarget(clock, 1);
    expect(scheduler.flushesAtBoundaries).toBe(false);
    scheduler.markDirty(target);
    scheduler.flushAtBoundary();
    await nextTurn();
    expect(target.flushes).toBe(0);
  });

  it('flushSoon (a relay\'s input) flushes on the next turn however busy the node is', async () => {
    const clock = new TestClock();
    scheduler = new MergedFlushScheduler({ windowMs: 10_000, boundaryFlushes: true, now: clock.now });
    const target = new CostlyTarget(clock, 20);
    await playFrames(scheduler, clock, target, 1);
    expect(scheduler.flushesAtBoundaries).toBe(false);
    const before = target.flushes;
    scheduler.markDirty(target);
    scheduler.flushSoon();
    await nextTurn();
    expect(target.flushes).toBe(before + 1);
  });
});

/**
 * Time, injectable so that TTLs, leases and rate limits are testable without sleeping.
 * `now()` is wall time (what is stored and compared across machines); `monotonic()` never jumps back with NTP
 * and measures durations inside one process.
 */
export interface Clock {
  /** wall time, ms since the Unix epoch */
  now(): number;
  /** ms since an arbitrary origin; only differences mean anything */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A clock that only moves when told to; both readings advance together. */
export class ManualClock implements Clock {
  #wall: number;
  #mono = 0;

  constructor(start = 1_700_000_000_000) {
    this.#wall = start;
  }

  now(): number {
    return this.#wall;
  }

  monotonic(): number {
    return this.#mono;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward, got ${ms}`);
    this.#wall += ms;
    this.#mono += ms;
  }

  /** Sets the wall time only (a wall clock may jump, the monotonic one does not). */
  set(ms: number): void {
    this.#wall = ms;
  }
}

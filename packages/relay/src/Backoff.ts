export interface BackoffOptions {
  /** first delay (before jitter), default 100 ms */
  initialMs?: number;
  /** cap of the delay (before jitter), default 5000 ms */
  maxMs?: number;
  /** growth per attempt, default 2 */
  factor?: number;
  /**
   * Fraction of each delay that is random, 0..1, default 0.5: the delay is uniformly in
   * [d * (1 - jitter), d]. Spreads the retries of many edges that lost the same origin at once.
   */
  jitter?: number;
  random?: () => number;
}

/** Capped exponential backoff with jitter. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 5000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.random = options.random ?? Math.random;
    if (!(this.initialMs >= 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1)) {
      throw new RangeError('backoff needs 0 <= initialMs <= maxMs and factor >= 1');
    }
  }

  /** attempts since the last reset */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; grows until maxMs. */
  next(): number {
    // Exponent capped so the power never overflows however long the outage lasts.
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.attempt, 64));
    this.attempt++;
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}

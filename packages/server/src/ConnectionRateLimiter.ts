/**
 * Per-address token buckets for new connections: each IP may open `burst` connections at once and then
 * `ratePerSecond` per second. Memory stays bounded: a bucket that has refilled to full carries no
 * information and is dropped by prune(), and the table never holds more than `maxAddresses` entries (when a
 * flood of distinct addresses fills it, the oldest entries are evicted, which at worst forgives one of them).
 */
export interface ConnectionRateLimiterOptions {
  /** tokens added per second; 0 disables the limiter */
  ratePerSecond: number;
  /** bucket size */
  burst: number;
  /** upper bound of tracked addresses, default 100 000 */
  maxAddresses?: number;
}

interface Bucket {
  tokens: number;
  /** monotonic ms of the last refill */
  at: number;
}

export class ConnectionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxAddresses: number;

  constructor(private readonly options: ConnectionRateLimiterOptions) {
    this.maxAddresses = options.maxAddresses ?? 100_000;
  }

  get enabled(): boolean {
    return this.options.ratePerSecond > 0;
  }

  /** Takes a token for `ip` at monotonic time `now`; false when the address is over its rate. */
  tryAcquire(ip: string, now: number): boolean {
    if (!this.enabled) return true;
    const { ratePerSecond, burst } = this.options;
    let bucket = this.buckets.get(ip);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxAddresses) this.evictOldest();
      bucket = { tokens: burst, at: now };
      this.buckets.set(ip, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Drops buckets that are full again at `now` (they would behave exactly like a fresh one). */
  prune(now: number): void {
    const { ratePerSecond, burst } = this.options;
    for (const [ip, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * ratePerSecond) / 1000 >= burst) this.buckets.delete(ip);
    }
  }

  get trackedAddresses(): number {
    return this.buckets.size;
  }

  private evictOldest(): void {
    // Map iteration order is insertion order: the first entries are the oldest.
    let n = Math.max(1, Math.floor(this.maxAddresses / 10));
    for (const ip of this.buckets.keys()) {
      this.buckets.delete(ip);
      if (--n <= 0) break;
    }
  }
}

import { type Clock, systemClock } from '@rtmp-cluster/core';
import { isRegistryUnavailable } from './errors.js';
import { type Logger, silentLogger } from '@rtmp-cluster/core';
import type { StreamLocation, StreamLocator } from './types.js';

export interface CachedStreamLocatorOptions {
  /** How long a found location is trusted without asking the registry again. Default 2000 ms. */
  ttlMs?: number;
  /** How long "not published" is remembered (kept short: a publish should be found quickly). Default 500 ms. */
  negativeTtlMs?: number;
  /**
   * While the registry is unavailable, a cached location this much past its TTL is still returned
   * (an origin usually outlives a Redis blip). 0 disables. Default 10000 ms.
   */
  staleIfErrorMs?: number;
  /** Upper bound on cached keys; the oldest entries are evicted first. Default 10000. */
  maxEntries?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Inflight {
  cancelled: boolean;
  promise: Promise<StreamLocation | null>;
}

interface Entry {
  location: StreamLocation | null;
  expiresAt: number;
}

/**
 * A StreamLocator for edges: caches registry lookups per key, merges concurrent lookups of one key into
 * one registry call, and is invalidated by cluster events (the wiring calls invalidate(key) on
 * stream.published / stream.unpublished) or by TTL.
 */
export class CachedStreamLocator implements StreamLocator {
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly staleIfErrorMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly entries = new Map<string, Entry>();
  // One registry call per key at a time; invalidate() marks the pending call so its (possibly older)
  // answer is returned to its waiters but not cached.
  private readonly inflight = new Map<string, Inflight>();

  constructor(
    private readonly source: StreamLocator,
    options: CachedStreamLocatorOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 2000;
    this.negativeTtlMs = options.negativeTtlMs ?? 500;
    this.staleIfErrorMs = options.staleIfErrorMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  async lookup(key: string): Promise<StreamLocation | null> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.clock.now()) return entry.location;
    const pending = this.inflight.get(key);
    if (pending) return pending.promise;
    const flight: Inflight = { cancelled: false, promise: Promise.resolve(null) };
    flight.promise = this.fetch(key, entry, flight).finally(() => {
      if (this.inflight.get(key) === flight) this.inflight.delete(key);
    });
    this.inflight.set(key, flight);
    return flight.promise;
  }

  /** Forget one key (e.g. on a stream.published / stream.unpublished event for it). */
  invalidate(key: string): void {
    this.entries.delete(key);
    const flight = this.inflight.get(key);
    if (flight) {
      flight.cancelled = true;
      this.inflight.delete(key);
    }
  }

  /** Forget everything (e.g. after the event bus reconnects and events may have been missed). */
  invalidateAll(): void {
    this.entries.clear();
    for (const flight of this.inflight.values()) flight.cancelled = true;
    this.inflight.clear();
  }

  /** Number of cached keys (found and not-found). */
  get size(): number {
    return this.entries.size;
  }

  private async fetch(key: string, previous: Entry | undefined, flight: Inflight): Promise<StreamLocation | null> {
    try {
      const location = await this.source.lookup(key);
      if (!flight.cancelled) this.store(key, location);
      return location;
    } catch (err) {
      if (
        isRegistryUnavailable(err) &&
        previous?.location &&
        this.staleIfErrorMs > 0 &&
        previous.expiresAt + this.staleIfErrorMs > this.clock.now()
      ) {
        this.logger.warn({ stream: key, err: err.message }, 'registry unavailable; serving stale stream location');
        return previous.location;
      }
      throw err;
    }
  }

  private store(key: string, location: StreamLocation | null): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const ttl = location ? this.ttlMs : this.negativeTtlMs;
    this.entries.set(key, { location, expiresAt: this.clock.now() + ttl });
  }
}

import { describe, expect, it } from 'vitest';
import { ManualClock } from '@rtmp-cluster/core';
import {
  CachedStreamLocator,
  InMemoryRegistry,
  RegistryUnavailableError,
  type StreamLocation,
  type StreamLocator,
} from '@rtmp-cluster/registry';
import { node } from './registryContract.js';

/** Counts calls and can be switched into an outage; answers from a real InMemoryRegistry. */
class CountingLocator implements StreamLocator {
  calls = 0;
  down = false;
  private gate: Promise<void> | undefined;
  constructor(private readonly inner: StreamLocator) {}
  async lookup(key: string): Promise<StreamLocation | null> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.down) throw new RegistryUnavailableError('test outage');
    return this.inner.lookup(key);
  }
  /** Holds every lookup until the returned release is called. */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise((r) => (open = r));
    return () => {
      this.gate = undefined;
      open();
    };
  }
}

async function setup() {
  const clock = new ManualClock();
  const registry = new InMemoryRegistry({ clock, leaseMs: 60_000, nodeTtlMs: 120_000 });
  await registry.heartbeat(node('o1'));
  await registry.heartbeat(node('o2'));
  const source = new CountingLocator(registry);
  const cache = new CachedStreamLocator(source, { clock, ttlMs: 1000, negativeTtlMs: 200, staleIfErrorMs: 5000 });
  return { clock, registry, source, cache };
}

const claim = (nodeId: string, policy: 'reject' | 'takeover' = 'reject') => ({
  app: 'live',
  name: 's',
  nodeId,
  address: `${nodeId}:1935`,
  policy,
});

describe('CachedStreamLocator', () => {
  it('answers from cache within the TTL and asks the registry again after it', async () => {
    const { clock, registry, source, cache } = await setup();
    await registry.claimStream(claim('o1'));
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
    expect(source.calls).toBe(1);
    await registry.claimStream(claim('o2', 'takeover'));
    clock.advance(999);
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
    clock.advance(2);
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o2');
    expect(source.calls).toBe(2);
  });

  it('remembers "not published" only for the short negative TTL', async () => {
    const { clock, registry, source, cache } = await setup();
    expect(await cache.lookup('live/s')).toBeNull();
    await registry.claimStream(claim('o1'));
    expect(await cache.lookup('live/s')).toBeNull();
    clock.advance(201);
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
    expect(source.calls).toBe(2);
  });

  it('invalidate(key) and invalidateAll() force a fresh lookup', async () => {
    const { registry, source, cache } = await setup();
    await registry.claimStream(claim('o1'));
    await cache.lookup('live/s');
    await registry.claimStream(claim('o2', 'takeover'));
    cache.invalidate('live/s');
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o2');
    await registry.claimStream(claim('o1', 'takeover'));
    cache.invalidateAll();
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
    expect(source.calls).toBe(3);
  });

  it('merges concurrent lookups of one key into one registry call', async () => {
    const { registry, source, cache } = await setup();
    await registry.claimStream(claim('o1'));
    const release = source.hold();
    const waiting = Promise.all([cache.lookup('live/s'), cache.lookup('live/s'), cache.lookup('live/s')]);
    release();
    const results = await waiting;
    expect(results.map((x) => x?.ownerId)).toEqual(['o1', 'o1', 'o1']);
    expect(source.calls).toBe(1);
  });

  it('does not cache an answer that was in flight when the key was invalidated', async () => {
    const { registry, source, cache } = await setup();
    await registry.claimStream(claim('o1'));
    const release = source.hold();
    const first = cache.lookup('live/s');
    cache.invalidate('live/s');
    release();
    await first;
    await cache.lookup('live/s');
    expect(source.calls).toBe(2);
  });

  it('serves a stale location during a registry outage within staleIfErrorMs, then fails with the typed error', async () => {
    const { clock, registry, source, cache } = await setup();
    await registry.claimStream(claim('o1'));
    await cache.lookup('live/s');
    source.down = true;
    clock.advance(1500);
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
    clock.advance(5000);
    await expect(cache.lookup('live/s')).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
    // an unknown key fails at once
    await expect(cache.lookup('live/unknown')).rejects.toBeInstanceOf(RegistryUnavailableError);
    source.down = false;
    expect((await cache.lookup('live/s'))?.ownerId).toBe('o1');
  });

  it('bounds the number of cached keys', async () => {
    const clock = new ManualClock();
    const registry = new InMemoryRegistry({ clock });
    const cache = new CachedStreamLocator(registry, { clock, maxEntries: 3 });
    for (let i = 0; i < 10; i++) await cache.lookup(`live/s${i}`);
    expect(cache.size).toBe(3);
  });
});

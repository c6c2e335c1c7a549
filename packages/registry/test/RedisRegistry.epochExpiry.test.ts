/**
 * Per-stream epoch counters in a real redis-server expire once their stream has been gone for the retention
 * period (a day by default; short here): names clients make up must not leave a key behind forever, and an
 * epoch must not be reused while its stream is live or recently was.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisRegistry } from '@rtmp-cluster/registry';
import { startRedis } from '../../../test/support/redis-server.js';
import { suiteServer } from '../../../test/support/suiteServer.js';
import { waitFor } from '../../../test/support/waitFor.js';
import { node } from './registryContract.js';

const redis = suiteServer(() => startRedis());
const LEASE_MS = 400;
const GRACE_MS = 300;
const RETENTION_MS = 1500;
let n = 0;

describe('RedisRegistry epoch counters (real redis-server)', () => {
  const open: Array<{ close(): Promise<void> | void }> = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });

  async function setup(): Promise<{ registry: RedisRegistry; raw: Redis; epochKey: (k: string) => string }> {
    const keyPrefix = `epoch${++n}:${process.pid}:`;
    const registry = await RedisRegistry.connect({
      url: redis().url,
      keyPrefix,
      leaseMs: LEASE_MS,
      expiredClaimGraceMs: GRACE_MS,
      epochRetentionMs: RETENTION_MS,
      nodeTtlMs: 5000,
    });
    const raw = new Redis(redis().url);
    open.push(registry, { close: () => void raw.disconnect() });
    await registry.heartbeat(node('o1'));
    return { registry, raw, epochKey: (k) => `${keyPrefix}epoch:${k}` };
  }

  it('a released stream keeps its epoch for the retention period, then the key is gone', async () => {
    const { registry, raw, epochKey } = await setup();
    const claim = await registry.claimStream({ app: 'live', name: 'a', nodeId: 'o1', address: '10.0.0.2:1935' });
    expect(claim.status).toBe('claimed');
    const epoch = claim.status === 'claimed' ? claim.location.epoch : 0;
    const ttl = await raw.pttl(epochKey('live/a'));
    expect(ttl).toBeGreaterThan(RETENTION_MS);
    expect(ttl).toBeLessThanOrEqual(LEASE_MS + GRACE_MS + RETENTION_MS);
    // renewals keep it alive past the retention period
    const liveUntil = Date.now() + RETENTION_MS + 1000;
    while (Date.now() < liveUntil) {
      expect((await registry.renewStream('live/a', epoch)).status).toBe('renewed');
      await new Promise((r) => setTimeout(r, LEASE_MS / 3));
    }
    expect(await raw.exists(epochKey('live/a'))).toBe(1);
    expect((await registry.releaseStream('live/a', epoch)).status).toBe('released');
    expect(await raw.pttl(epochKey('live/a'))).toBeLessThanOrEqual(RETENTION_MS);
    // within the retention period a new claim continues the count
    const again = await registry.claimStream({ app: 'live', name: 'a', nodeId: 'o1', address: '10.0.0.2:1935' });
    expect(again.status === 'claimed' && again.location.epoch).toBe(epoch + 1);
    expect((await registry.releaseStream('live/a', epoch + 1)).status).toBe('released');
    await waitFor(async () => (await raw.exists(epochKey('live/a'))) === 0, RETENTION_MS + 2000, 'epoch key expired', 50);
  });

  it('a stream whose origin vanished without releasing loses its epoch key after lease + grace + retention', async () => {
    const { registry, raw, epochKey } = await setup();
    const names = Array.from({ length: 50 }, (_, i) => `made-up-${i}`);
    for (const name of names) {
      expect((await registry.claimStream({ app: 'live', name, nodeId: 'o1', address: '10.0.0.2:1935' })).status).toBe('claimed');
    }
    const claimedAt = Date.now();
    expect(await raw.exists(...names.map((x) => epochKey(`live/${x}`)))).toBe(50);
    await waitFor(async () => (await raw.exists(...names.map((x) => epochKey(`live/${x}`)))) === 0, LEASE_MS + GRACE_MS + RETENTION_MS + 2000, 'epoch keys expired', 50);
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(LEASE_MS + GRACE_MS + RETENTION_MS - 100);
  });
});

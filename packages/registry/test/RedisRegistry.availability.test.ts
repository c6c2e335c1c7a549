import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisRegistry, RegistryError, RegistryUnavailableError } from '@rtmp-cluster/registry';
import { freePort } from '../../../test/support/ports.js';
import { startRedis } from '../../../test/support/redis-server.js';
import { suiteServer } from '../../../test/support/suiteServer.js';
import { node } from './registryContract.js';

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

async function eventually(fn: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('RedisRegistry availability', () => {
  const redis = suiteServer(() => startRedis());

  it('fails fast with REGISTRY_UNAVAILABLE while Redis is down and recovers when it returns', async () => {
    const registry = await RedisRegistry.connect({
      url: redis().url,
      keyPrefix: 'avail:',
      reconnectMaxDelayMs: 200,
    });
    try {
      await registry.heartbeat(node('o1'));
      const claimed = await registry.claimStream({ app: 'live', name: 's', nodeId: 'o1', address: 'o1:1935' });
      expect(claimed.status).toBe('claimed');

      await redis().kill();
      const calls = [
        () => registry.lookup('live/s'),
        () => registry.listNodes(),
        () => registry.heartbeat(node('o1')),
        () => registry.claimStream({ app: 'live', name: 's', nodeId: 'o1', address: 'o1:1935' }),
        () => registry.renewStream('live/s', 1),
        () => registry.ping(),
      ];
      for (const call of calls) {
        const started = Date.now();
        const err = await failure(call());
        expect(err).toBeInstanceOf(RegistryUnavailableError);
        expect((err as RegistryError).code).toBe('REGISTRY_UNAVAILABLE');
        expect(Date.now() - started).toBeLessThan(1500);
      }

      // Still failing fast after a while (reconnect attempts in the background must not queue calls).
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      expect(await failure(registry.getNode('o1'))).toBeInstanceOf(RegistryUnavailableError);
      expect(Date.now() - started).toBeLessThan(1500);

      await redis().restart();
      await eventually(() => registry.ping(), 5000);
      // The restarted server is empty (no persistence): the registry works again, scripts reload.
      expect(await registry.lookup('live/s')).toBeNull();
      await registry.heartbeat(node('o1'));
      const again = await registry.claimStream({ app: 'live', name: 's', nodeId: 'o1', address: 'o1:1935' });
      expect(again.status).toBe('claimed');
      expect((await registry.lookup('live/s'))?.ownerId).toBe('o1');
    } finally {
      await registry.close();
    }
  });

  it('a command that hangs on the server times out as REGISTRY_UNAVAILABLE', async () => {
    const registry = await RedisRegistry.connect({ url: redis().url, keyPrefix: 'hang:', commandTimeoutMs: 300 });
    const admin = new Redis(redis().url);
    try {
      // CLIENT PAUSE holds every other client's commands for 1 s; our call must give up after commandTimeoutMs.
      expect(await admin.call('CLIENT', 'PAUSE', '1000', 'ALL')).toBe('OK');
      const started = Date.now();
      const err = await failure(registry.listNodes());
      expect(err).toBeInstanceOf(RegistryUnavailableError);
      expect(Date.now() - started).toBeLessThan(900);
      await admin.call('CLIENT', 'UNPAUSE');
      await registry.ping();
    } finally {
      await registry.close();
      admin.disconnect();
    }
  });

  it('connect() rejects quickly with REGISTRY_UNAVAILABLE when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await failure(RedisRegistry.connect({ url: `redis://127.0.0.1:${port}`, readyTimeoutMs: 700 }));
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps keys under its prefix and does not see another prefix', async () => {
    const a = await RedisRegistry.connect({ url: redis().url, keyPrefix: 'clusterA:' });
    const b = await RedisRegistry.connect({ url: redis().url });
    const admin = new Redis(redis().url);
    try {
      await a.heartbeat(node('o1'));
      await a.claimStream({ app: 'live', name: 'x', nodeId: 'o1', address: 'o1:1935' });
      expect(await b.listNodes()).toEqual([]);
      expect(await b.lookup('live/x')).toBeNull();
      expect(b.keyPrefix).toBe('rtmpc:');
      const keys = (await admin.keys('clusterA:*')).sort();
      expect(keys).toEqual([
        'clusterA:epoch:live/x',
        'clusterA:node:o1',
        'clusterA:nodes',
        'clusterA:stream:live/x',
        'clusterA:streams',
      ]);
      // The node record carries the Redis-side TTL.
      const pttl = await admin.pttl('clusterA:node:o1');
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(6000);
    } finally {
      await a.close();
      await b.close();
      admin.disconnect();
    }
  });

  it('accepts an ioredis options object and rejects settings it cannot honour', async () => {
    const registry = await RedisRegistry.connect({ redis: { host: '127.0.0.1', port: redis().port }, keyPrefix: 'opt:' });
    try {
      await registry.heartbeat(node('o9'));
      expect((await registry.getNode('o9'))?.id).toBe('o9');
    } finally {
      await registry.close();
    }
    expect(() => new RedisRegistry({ redis: { keyPrefix: 'x:' } })).toThrow(RegistryError);
    expect(() => new RedisRegistry({ cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] } })).toThrow(/hash tag/);
  });
});

describe('RedisRegistry credentials', () => {
  const redis = suiteServer(() => startRedis({ password: 's3cret' }));

  it('authenticates with the password in the URL or in the options', async () => {
    expect(redis().url).toContain(':s3cret@');
    const viaUrl = await RedisRegistry.connect({ url: redis().url });
    const viaOptions = await RedisRegistry.connect({ redis: { host: '127.0.0.1', port: redis().port, password: 's3cret' } });
    try {
      await viaUrl.heartbeat(node('o1'));
      expect((await viaOptions.getNode('o1'))?.id).toBe('o1');
    } finally {
      await viaUrl.close();
      await viaOptions.close();
    }
  });

  it('a wrong password is REGISTRY_UNAVAILABLE, not a hang', async () => {
    const err = await failure(
      RedisRegistry.connect({ url: `redis://:wrong@127.0.0.1:${redis().port}`, readyTimeoutMs: 1000 }),
    );
    expect(err).toBeInstanceOf(RegistryUnavailableError);
  });
});

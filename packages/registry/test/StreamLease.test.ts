import { describe, expect, it } from 'vitest';
import {
  InMemoryRegistry,
  NodeHeartbeat,
  type NodeInfo,
  RegistryUnavailableError,
  StreamLease,
  type StreamLocation,
} from '@rtmp-cluster/registry';
import { node } from './registryContract.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function claimed(registry: InMemoryRegistry, nodeId: string): Promise<StreamLocation> {
  const r = await registry.claimStream({ app: 'live', name: 's', nodeId, address: `${nodeId}:1935` });
  if (r.status !== 'claimed') throw new Error('claim failed');
  return r.location;
}

describe('StreamLease', () => {
  it('keeps a short lease alive by renewing it', async () => {
    const registry = new InMemoryRegistry({ leaseMs: 300, nodeTtlMs: 10_000 });
    await registry.heartbeat(node('o1'));
    const lost: unknown[] = [];
    const lease = new StreamLease(registry, await claimed(registry, 'o1'), {
      renewEveryMs: 50,
      onLost: (c) => lost.push(c),
    });
    lease.start();
    await wait(700);
    expect((await registry.lookup('live/s'))?.epoch).toBe(lease.epoch);
    lease.stop();
    await wait(400);
    expect(await registry.lookup('live/s')).toBeNull();
    expect(lost).toEqual([]);
  });

  it('reports loss once when another node takes the stream over, and stops renewing', async () => {
    const registry = new InMemoryRegistry({ leaseMs: 5000, nodeTtlMs: 10_000 });
    await registry.heartbeat(node('o1'));
    await registry.heartbeat(node('o2'));
    const lost: (StreamLocation | null)[] = [];
    const lease = new StreamLease(registry, await claimed(registry, 'o1'), { renewEveryMs: 20, onLost: (c) => lost.push(c) });
    lease.start();
    await registry.claimStream({ app: 'live', name: 's', nodeId: 'o2', address: 'o2:1935', policy: 'takeover' });
    await wait(120);
    expect(lost.length).toBe(1);
    expect(lost[0]?.ownerId).toBe('o2');
    expect(lease.lost).toBe(true);
    expect(await lease.renewNow()).toBe(false);
    expect((await lease.updateInfo({ width: 10 })).status).toBe('lost');
    expect(lost.length).toBe(1);
    expect((await registry.lookup('live/s'))?.ownerId).toBe('o2');
  });

  it('re-claims with a new epoch when the claim vanished and nobody else holds the stream', async () => {
    const registry = new InMemoryRegistry({ leaseMs: 5000, nodeTtlMs: 10_000 });
    await registry.heartbeat(node('o1'));
    const first = await claimed(registry, 'o1');
    const reclaimed: number[] = [];
    const lease = new StreamLease(registry, first, {
      onLost: () => {
        throw new Error('must not be lost');
      },
      onReclaimed: (l) => reclaimed.push(l.epoch),
    });
    await registry.releaseStream('live/s', first.epoch); // as if Redis had been wiped
    expect(await lease.renewNow()).toBe(true);
    expect(reclaimed).toEqual([first.epoch + 1]);
    expect((await registry.lookup('live/s'))?.epoch).toBe(first.epoch + 1);
    expect((await lease.updateInfo({ videoCodec: 'avc' })).status).toBe('updated');
    expect(await lease.release()).toEqual({ status: 'released' });
    expect(await registry.lookup('live/s')).toBeNull();
  });

  it('keeps the claim while the registry is unavailable', async () => {
    const registry = new InMemoryRegistry();
    await registry.heartbeat(node('o1'));
    const location = await claimed(registry, 'o1');
    const failing = Object.create(registry) as InMemoryRegistry;
    failing.renewStream = async () => {
      throw new RegistryUnavailableError('down');
    };
    const lost: unknown[] = [];
    const lease = new StreamLease(failing, location, { onLost: (c) => lost.push(c) });
    expect(await lease.renewNow()).toBe(true);
    expect(lease.lost).toBe(false);
    expect(lost).toEqual([]);
  });
});

describe('NodeHeartbeat', () => {
  it('keeps the node record alive with current info and removes it on stop', async () => {
    const registry = new InMemoryRegistry();
    let info: NodeInfo = node('hb');
    const hb = new NodeHeartbeat(registry, () => info, { periodMs: 50, ttlMs: 400 });
    const first = await hb.start();
    expect(first.expiresAt - first.lastSeen).toBe(400);
    info = { ...info, state: 'draining' };
    await wait(500);
    const got = await registry.getNode('hb');
    expect(got?.state).toBe('draining');
    await hb.stop();
    expect(await registry.getNode('hb')).toBeNull();
  });

  it('a node whose heartbeat stops without removal disappears after the TTL', async () => {
    const registry = new InMemoryRegistry();
    const hb = new NodeHeartbeat(registry, () => node('hb2'), { periodMs: 30, ttlMs: 100 });
    await hb.start();
    await hb.stop({ remove: false });
    expect(await registry.getNode('hb2')).not.toBeNull();
    await wait(150);
    expect(await registry.getNode('hb2')).toBeNull();
  });

  it('rejects a period that is not shorter than the TTL', () => {
    expect(() => new NodeHeartbeat(new InMemoryRegistry(), () => node('x'), { periodMs: 100, ttlMs: 100 })).toThrow(
      RangeError,
    );
  });
});

import { ManualClock } from '@rtmp-cluster/core';
import { InMemoryRegistry } from '@rtmp-cluster/registry';
import { describeRegistryContract } from './registryContract.js';

describeRegistryContract('InMemoryRegistry', async () => {
  const clock = new ManualClock();
  const registry = new InMemoryRegistry({ clock, nodeTtlMs: 6000, leaseMs: 3000, expiredClaimGraceMs: 60_000 });
  return {
    registry,
    peer: registry,
    nodeTtlMs: 6000,
    leaseMs: 3000,
    advance: async (ms) => clock.advance(ms),
    close: () => registry.close(),
  };
});

import { RedisRegistry } from '@rtmp-cluster/registry';
import { startRedis } from '../../../test/support/redis-server.js';
import { suiteServer } from '../../../test/support/suiteServer.js';
import { describeRegistryContract } from './registryContract.js';

const redis = suiteServer(() => startRedis());
let n = 0;

const NODE_TTL_MS = 800;
const LEASE_MS = 400;

describeRegistryContract('RedisRegistry (real redis-server)', async () => {
  // A fresh key prefix per test isolates tests sharing one server.
  const keyPrefix = `t${++n}:${process.pid}:`;
  const opts = { url: redis().url, keyPrefix, nodeTtlMs: NODE_TTL_MS, leaseMs: LEASE_MS, expiredClaimGraceMs: 5000 };
  const registry = await RedisRegistry.connect(opts);
  const peer = await RedisRegistry.connect(opts);
  return {
    registry,
    peer,
    nodeTtlMs: NODE_TTL_MS,
    leaseMs: LEASE_MS,
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: async () => {
      await registry.close();
      await peer.close();
    },
  };
});

/**
 * Redis and NATS with passwords and TLS, configured the way a node is (RTMPC_* settings through loadConfig)
 * and connected with the options the cluster roles use (redisConnectionOptions / natsConnectionOptions into
 * RedisRegistry.connect / NatsEventBus.connect), against real redis-server and nats-server processes:
 * the right credentials work, wrong or missing ones fail with an error that says why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NatsEventBus } from '@rtmp-cluster/events';
import { RedisRegistry } from '@rtmp-cluster/registry';
import { loadConfig, natsConnectionOptions, probeRedisConnection, redisConnectionOptions } from 'rtmp-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type NatsServerHandle } from '../support/nats-server.js';
import { startRedis, type RedisServerHandle } from '../support/redis-server.js';
import { makeSelfSignedCert, type TestCert } from './support/tlsCert.js';

const REDIS_PW = 'redis-secret-pw';
const NATS_USER = 'rtmpc';
const NATS_PW = 'nats-secret-pw';

function config(env: Record<string, string>) {
  return loadConfig({ hostname: 'sec', env });
}

async function connectionError(fn: () => Promise<unknown>): Promise<Error> {
  try {
    const r = await fn();
    if (r && typeof (r as { close?: () => Promise<void> }).close === 'function') await (r as { close: () => Promise<void> }).close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the connection to fail');
}

describe('Redis and NATS credentials and TLS through the node config', () => {
  let tmp: string;
  let cert: TestCert;
  let redis: RedisServerHandle;
  let redisTls: RedisServerHandle;
  let nats: NatsServerHandle;
  let natsTls: NatsServerHandle;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-backend-'));
    cert = await makeSelfSignedCert(tmp, 'backend', 'localhost');
    [redis, redisTls, nats, natsTls] = await Promise.all([
      startRedis({ password: REDIS_PW }),
      startRedis({ password: REDIS_PW, tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: cert.certFile } }),
      startNats({ user: NATS_USER, pass: NATS_PW }),
      startNats({ user: NATS_USER, pass: NATS_PW, tls: { certFile: cert.certFile, keyFile: cert.keyFile } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), redisTls?.stop(), nats?.stop(), natsTls?.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Redis: RTMPC_REDIS_PASSWORD works; a wrong or missing password fails naming the cause', async () => {
    const url = `redis://127.0.0.1:${redis.port}`;
    const ok = await RedisRegistry.connect({ ...redisConnectionOptions(config({ RTMPC_REDIS_URL: url, RTMPC_REDIS_PASSWORD: REDIS_PW })), readyTimeoutMs: 3000 });
    try {
      expect(await ok.lookup('live/none')).toBeNull();
    } finally {
      await ok.close();
    }
    const wrongCfg = config({ RTMPC_REDIS_URL: url, RTMPC_REDIS_PASSWORD: 'nope' });
    const wrong = await connectionError(() => RedisRegistry.connect({ ...redisConnectionOptions(wrongCfg), readyTimeoutMs: 2000 }));
    expect(wrong.message).toMatch(/not ready/);
    // ioredis only says "not ready"; the probe the node runs after such a failure names the cause.
    expect(await probeRedisConnection(wrongCfg)).toMatch(/^WRONGPASS invalid username-password pair/);
    expect(await probeRedisConnection(config({ RTMPC_REDIS_URL: url }))).toBe('NOAUTH Authentication required.');
    expect(await probeRedisConnection(config({ RTMPC_REDIS_URL: url, RTMPC_REDIS_PASSWORD: REDIS_PW }))).toBeUndefined();
    // A password in the URL works the same way.
    expect(await probeRedisConnection(config({ RTMPC_REDIS_URL: `redis://:${REDIS_PW}@127.0.0.1:${redis.port}` }))).toBeUndefined();
  });

  it('Redis over TLS: rediss:// with RTMPC_REDIS_TLS_CA_FILE works; without the CA the certificate is refused', async () => {
    const url = `rediss://localhost:${redisTls.port}`;
    const ok = await RedisRegistry.connect({
      ...redisConnectionOptions(config({ RTMPC_REDIS_URL: url, RTMPC_REDIS_PASSWORD: REDIS_PW, RTMPC_REDIS_TLS_CA_FILE: cert.certFile })),
      readyTimeoutMs: 3000,
    });
    try {
      expect(await ok.lookup('live/none')).toBeNull();
    } finally {
      await ok.close();
    }
    const untrustedCfg = config({ RTMPC_REDIS_URL: url, RTMPC_REDIS_PASSWORD: REDIS_PW });
    const untrusted = await connectionError(() => RedisRegistry.connect({ ...redisConnectionOptions(untrustedCfg), readyTimeoutMs: 2000 }));
    expect(untrusted.message).toMatch(/not ready/);
    expect(await probeRedisConnection(untrustedCfg)).toMatch(/SELF_SIGNED|self.signed certificate/i);
    expect(await probeRedisConnection(config({ RTMPC_REDIS_URL: url, RTMPC_REDIS_PASSWORD: REDIS_PW, RTMPC_REDIS_TLS_CA_FILE: cert.certFile }))).toBeUndefined();
  });

  it('NATS: RTMPC_NATS_USER/RTMPC_NATS_PASSWORD work; wrong ones fail with an authorization error', async () => {
    const servers = `nats://127.0.0.1:${nats.port}`;
    const bus = await NatsEventBus.connect({ ...natsConnectionOptions(config({ RTMPC_NATS_SERVERS: servers, RTMPC_NATS_USER: NATS_USER, RTMPC_NATS_PASSWORD: NATS_PW })), nodeId: 'sec' });
    try {
      expect(bus.isConnected).toBe(true);
      await bus.flush();
    } finally {
      await bus.close();
    }
    const wrong = await connectionError(() =>
      NatsEventBus.connect({ ...natsConnectionOptions(config({ RTMPC_NATS_SERVERS: servers, RTMPC_NATS_USER: NATS_USER, RTMPC_NATS_PASSWORD: 'nope' })), nodeId: 'sec' }),
    );
    expect(wrong.message).toMatch(/cannot connect to NATS: .*(Authorization Violation|AUTHORIZATION_VIOLATION)/i);
    const none = await connectionError(() => NatsEventBus.connect({ ...natsConnectionOptions(config({ RTMPC_NATS_SERVERS: servers })), nodeId: 'sec' }));
    expect(none.message).toMatch(/Authorization Violation|AUTHORIZATION_VIOLATION/i);
  });

  it('NATS over TLS: RTMPC_NATS_TLS_CA_FILE verifies the server; without it the connection is refused', async () => {
    const servers = `tls://localhost:${natsTls.port}`;
    const env = { RTMPC_NATS_SERVERS: servers, RTMPC_NATS_USER: NATS_USER, RTMPC_NATS_PASSWORD: NATS_PW };
    const bus = await NatsEventBus.connect({ ...natsConnectionOptions(config({ ...env, RTMPC_NATS_TLS_CA_FILE: cert.certFile })), nodeId: 'sec' });
    try {
      expect(bus.isConnected).toBe(true);
      await bus.flush();
    } finally {
      await bus.close();
    }
    const untrusted = await connectionError(() => NatsEventBus.connect({ ...natsConnectionOptions(config(env)), nodeId: 'sec' }));
    expect(untrusted.message).toMatch(/cannot connect to NATS: .*(certificate|self.signed)/i);
  });
});

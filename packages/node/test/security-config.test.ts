/**
 * Security settings of the node configuration: the auth section (JSON, RTMPC_AUTH_CONFIG file, env
 * shortcuts) with clear problems and no secrets in them, RTMPS, limits, and Redis/NATS credentials as they
 * reach the connect options.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, natsConnectionOptions, redisConnectionOptions } from '../src/index.js';
import { problemsOf } from './support/problemsOf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-seccfg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


const SECRET = 'a-signing-secret-of-32-characters';

describe('auth configuration', () => {
  it('has no auth unless something configures it', () => {
    expect(loadConfig({ env: {}, hostname: 'h' }).auth).toBeUndefined();
  });

  it('builds the policy from env shortcuts, with the relay token', () => {
    const cfg = loadConfig({
      hostname: 'h',
      env: {
        RTMPC_PUBLISH_AUTH: 'token',
        RTMPC_PLAY_AUTH: 'static',
        RTMPC_AUTH_KEYS: `k2:${SECRET},k1:${SECRET}-old`,
        RTMPC_AUTH_STATIC_KEYS: 'live/cam1=abc,live/cam1=def,live/*=ghi',
        RTMPC_AUTH_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
        RTMPC_AUTH_WEBHOOK_TIMEOUT_MS: '1500',
        RTMPC_AUTH_WEBHOOK_FAIL_OPEN: 'false',
        RTMPC_AUTH_CLOCK_SKEW_SECONDS: '5',
        RTMPC_RELAY_TOKEN: 'relay-token-123',
      },
    });
    expect(cfg.auth).toEqual({
      publish: { mode: 'token' },
      play: { mode: 'static' },
      keys: [
        { id: 'k2', secret: SECRET },
        { id: 'k1', secret: `${SECRET}-old` },
      ],
      staticKeys: { 'live/cam1': ['abc', 'def'], 'live/*': ['ghi'] },
      webhook: { url: 'http://127.0.0.1:9/hook', timeoutMs: 1500, failOpen: false },
      clockSkewSeconds: 5,
      relayToken: 'relay-token-123',
    });
  });

  it('merges RTMPC_AUTH_CONFIG < the JSON auth section < env', () => {
    const authFile = path.join(tmp, 'auth.json');
    fs.writeFileSync(authFile, JSON.stringify({ publish: { mode: 'token' }, keys: [{ id: 'file', secret: SECRET }] }));
    const configFile = path.join(tmp, 'node.json');
    fs.writeFileSync(configFile, JSON.stringify({ authConfigFile: authFile, auth: { play: { mode: 'token', apps: { free: 'none' } } } }));
    const cfg = loadConfig({ hostname: 'h', configFile, env: { RTMPC_PUBLISH_AUTH: 'none' } });
    expect(cfg.auth).toEqual({
      publish: { mode: 'none' },
      play: { mode: 'token', apps: { free: 'none' } },
      keys: [{ id: 'file', secret: SECRET }],
    });
  });

  it('reports bad auth settings by name without echoing secrets', () => {
    const problems = problemsOf(() =>
      loadConfig({
        hostname: 'h',
        env: {
          RTMPC_PUBLISH_AUTH: 'tokens',
          RTMPC_PLAY_AUTH: 'token',
          RTMPC_AUTH_KEYS: 'k1:short-secret,justtext-topsecret',
          RTMPC_AUTH_WEBHOOK_URL: 'ftp://user:hunter2@host/x',
        },
      }),
    );
    const text = problems.join('\n');
    expect(text).toContain('RTMPC_PUBLISH_AUTH: expected one of none, token, static, webhook, got "tokens"');
    expect(text).toContain('RTMPC_AUTH_KEYS: entry 2 must be KEY_ID:SECRET');
    expect(text).toContain('RTMPC_AUTH_WEBHOOK_URL: expected an http:// or https:// URL, got "ftp://user:***@host/x"');
    expect(text).not.toContain('short-secret');
    expect(text).not.toContain('topsecret');
    expect(text).not.toContain('hunter2');
    // Well-formed entries are checked by the auth package (a signing secret needs 16 characters), still unechoed.
    const weak = problemsOf(() => loadConfig({ hostname: 'h', env: { RTMPC_PLAY_AUTH: 'token', RTMPC_AUTH_KEYS: 'k1:short-secret' } })).join('\n');
    expect(weak).toMatch(/auth: keys\[0\]: .*16/);
    expect(weak).not.toContain('short-secret');
    // A secret that fails its own check is not echoed either.
    expect(problemsOf(() => loadConfig({ hostname: 'h', env: { RTMPC_NATS_PASSWORD: '   ', RTMPC_NATS_USER: 'u' } }))).toEqual([
      'RTMPC_NATS_PASSWORD: expected a non-empty string, got a value not shown here (a secret)',
      'RTMPC_NATS_USER and RTMPC_NATS_PASSWORD: set both, or neither',
    ]);
  });

  it("mode 'token' without keys is refused at load time", () => {
    const problems = problemsOf(() => loadConfig({ hostname: 'h', env: { RTMPC_PUBLISH_AUTH: 'token' } }));
    expect(problems.join('\n')).toContain("auth: keys: mode 'token' needs at least one signing key");
  });

  it('refuses an auth section that is not an object and unknown auth fields', () => {
    const configFile = path.join(tmp, 'bad-auth.json');
    fs.writeFileSync(configFile, JSON.stringify({ auth: { publish: { mode: 'none' }, secretz: 1 } }));
    expect(problemsOf(() => loadConfig({ hostname: 'h', configFile, env: {} })).join('\n')).toContain('auth: secretz: unknown field');
    fs.writeFileSync(configFile, JSON.stringify({ auth: 'token' }));
    expect(problemsOf(() => loadConfig({ hostname: 'h', configFile, env: {} })).join('\n')).toContain(`auth (in ${configFile}): expected an object`);
  });
});

describe('RTMPS, limits and backend credentials', () => {
  it('has sane defaults', () => {
    const cfg = loadConfig({ env: {}, hostname: 'h' });
    expect(cfg.rtmpsPort).toBe(1936);
    expect(cfg.tlsCertFile).toBeUndefined();
    expect(cfg.maxConnectionsPerIp).toBe(1000);
    expect(cfg.connRatePerIp).toBe(50);
    expect(cfg.connBurstPerIp).toBe(100);
    expect(cfg.maxPublishers).toBe(10_000);
  });

  it('reads the limits and reports bad ones', () => {
    const cfg = loadConfig({
      hostname: 'h',
      env: { RTMPC_MAX_CONNECTIONS_PER_IP: '20', RTMPC_CONN_RATE_PER_IP: '0', RTMPC_CONN_BURST_PER_IP: '7', RTMPC_MAX_PUBLISHERS: '3' },
    });
    expect([cfg.maxConnectionsPerIp, cfg.connRatePerIp, cfg.connBurstPerIp, cfg.maxPublishers]).toEqual([20, 0, 7, 3]);
    const problems = problemsOf(() => loadConfig({ hostname: 'h', env: { RTMPC_MAX_PUBLISHERS: '0', RTMPC_CONN_RATE_PER_IP: 'fast' } }));
    expect(problems).toContain('RTMPC_MAX_PUBLISHERS: expected an integer 1-1000000, got "0"');
    expect(problems).toContain('RTMPC_CONN_RATE_PER_IP: expected an integer 0-100000 (connections/s, 0 = off), got "fast"');
  });

  it('needs both TLS files, readable, on a port of their own', () => {
    const cert = path.join(tmp, 'cert.pem');
    fs.writeFileSync(cert, 'x');
    expect(problemsOf(() => loadConfig({ hostname: 'h', env: { RTMPC_TLS_CERT_FILE: cert } }))).toContain(
      'RTMPC_TLS_CERT_FILE and RTMPC_TLS_KEY_FILE: set both to enable RTMPS, or neither',
    );
    const missing = path.join(tmp, 'nope.pem');
    const problems = problemsOf(() =>
      loadConfig({ hostname: 'h', env: { RTMPC_TLS_CERT_FILE: cert, RTMPC_TLS_KEY_FILE: missing, RTMPC_RTMPS_PORT: '1935' } }),
    );
    expect(problems).toContain(`RTMPC_TLS_KEY_FILE: cannot read ${missing} (ENOENT)`);
    expect(problems).toContain('RTMPC_RTMPS_PORT: must differ from RTMPC_RTMP_PORT (both 1935)');
  });

  it('passes Redis and NATS credentials and TLS files to the connect options', () => {
    const ca = path.join(tmp, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const cfg = loadConfig({
      hostname: 'h',
      env: {
        RTMPC_REDIS_URL: 'rediss://redis.internal:6380',
        RTMPC_REDIS_USERNAME: 'rtmpc',
        RTMPC_REDIS_PASSWORD: 'redis-pw',
        RTMPC_REDIS_TLS_CA_FILE: ca,
        RTMPC_NATS_SERVERS: 'tls://nats.internal:4222',
        RTMPC_NATS_USER: 'rtmpc',
        RTMPC_NATS_PASSWORD: 'nats-pw',
        RTMPC_NATS_TLS_CA_FILE: ca,
      },
    });
    const redis = redisConnectionOptions(cfg);
    expect(redis.url).toBe('rediss://redis.internal:6380');
    expect(redis.redis?.username).toBe('rtmpc');
    expect(redis.redis?.password).toBe('redis-pw');
    expect(String(redis.redis?.tls?.ca)).toContain('BEGIN CERTIFICATE');
    const nats = natsConnectionOptions(cfg);
    expect(nats.servers).toEqual(['tls://nats.internal:4222']);
    expect(nats.connectionOptions).toEqual({ user: 'rtmpc', pass: 'nats-pw', tls: { caFile: ca } });
  });

  it('refuses inconsistent NATS and Redis credentials', () => {
    const problems = problemsOf(() =>
      loadConfig({ hostname: 'h', env: { RTMPC_NATS_USER: 'u', RTMPC_NATS_TOKEN: 't', RTMPC_REDIS_USERNAME: 'x' } }),
    );
    expect(problems).toContain('RTMPC_NATS_TOKEN: use either a token or RTMPC_NATS_USER/RTMPC_NATS_PASSWORD, not both');
    expect(problems).toContain('RTMPC_NATS_USER and RTMPC_NATS_PASSWORD: set both, or neither');
    expect(problems).toContain('RTMPC_REDIS_USERNAME: needs RTMPC_REDIS_PASSWORD');
  });
});

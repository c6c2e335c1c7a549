import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig } from '../src/config.js';
import { problemsOf } from './support/problemsOf.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeJson(name: string, value: unknown): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}


describe('loadConfig', () => {
  it('returns the documented defaults with an empty environment', () => {
    const c = loadConfig({ env: {}, hostname: 'host-a' });
    expect(c).toEqual(defaultConfig('host-a'));
    expect(c.rtmpPort).toBe(1935);
    expect(c.httpPort).toBe(8080);
    expect(c.advertiseAddress).toBe('host-a:1935');
    expect(c.drainTimeoutMs).toBe(30000);
    expect(c.chunkSize).toBe(4096);
    expect(c.playWaitMs).toBe(10000);
    expect(c.natsServers).toEqual(['nats://127.0.0.1:4222']);
    expect(c.role).toBe('all-in-one');
  });

  it('applies defaults < file < env < overrides', () => {
    const file = writeJson('layered.json', { rtmpPort: 2000, httpPort: 2001, logLevel: 'debug', playWaitMs: 5 });
    const c = loadConfig({
      env: { RTMPC_RTMP_PORT: '3000', RTMPC_NATS_SERVERS: 'nats://a:1, nats://b:2', RTMPC_CONFIG: file, RTMPC_CLUSTER_SECRET: 'a-cluster-secret-16' },
      overrides: { role: 'edge', playWaitMs: 7 },
      hostname: 'h',
    });
    expect(c.rtmpPort).toBe(3000); // env over file
    expect(c.httpPort).toBe(2001); // file over default
    expect(c.logLevel).toBe('debug');
    expect(c.role).toBe('edge'); // override over everything
    expect(c.playWaitMs).toBe(7);
    expect(c.natsServers).toEqual(['nats://a:1', 'nats://b:2']);
    expect(c.advertiseAddress).toBe('h:3000'); // follows the port unless set
  });

  it('the explicit configFile argument wins over RTMPC_CONFIG', () => {
    const a = writeJson('a.json', { chunkSize: 8192 });
    const b = writeJson('b.json', { chunkSize: 16384 });
    expect(loadConfig({ env: { RTMPC_CONFIG: a }, configFile: b }).chunkSize).toBe(16384);
  });

  it('names the env variable, the expectation and the bad value', () => {
    expect(problemsOf(() => loadConfig({ env: { RTMPC_RTMP_PORT: 'abc' } }))).toEqual([
      'RTMPC_RTMP_PORT: expected an integer 1-65535, got "abc"',
    ]);
  });

  it('reports every bad value at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          RTMPC_RTMP_PORT: '70000',
          RTMPC_HTTP_PORT: '80.5',
          RTMPC_LOG_LEVEL: 'loud',
          RTMPC_REDIS_URL: 'http://x',
          RTMPC_NATS_SERVERS: 'nats://ok:1,not a url',
          RTMPC_ROLE: 'router',
          RTMPC_CHUNK_SIZE: '12abc',
          RTMPC_DUPLICATE_PUBLISH: 'maybe',
        },
      }),
    );
    expect(problems).toEqual([
      'RTMPC_ROLE: expected one of all-in-one, origin, edge, control, got "router"',
      'RTMPC_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'RTMPC_RTMP_PORT: expected an integer 1-65535, got "70000"',
      'RTMPC_HTTP_PORT: expected an integer 1-65535, got "80.5"',
      'RTMPC_CHUNK_SIZE: expected an integer 128-65536, got "12abc"',
      'RTMPC_DUPLICATE_PUBLISH: expected one of reject, takeover, got "maybe"',
      'RTMPC_REDIS_URL: expected a redis:// or rediss:// URL, got "http://x"',
      'RTMPC_NATS_SERVERS: expected comma-separated nats:// URLs, got "nats://ok:1,not a url"',
    ]);
  });

  it('reports bad file values by key and file, and unknown keys', () => {
    const file = writeJson('bad.json', { rtmpPort: 'x', rtmpPrt: 1 });
    const problems = problemsOf(() => loadConfig({ env: {}, configFile: file }));
    expect(problems).toContain(`rtmpPort (in ${file}): expected an integer 1-65535, got "x"`);
    expect(problems).toContain(`config file ${file}: unknown setting "rtmpPrt" (did you mean "rtmpPort"?)`);
  });

  it('rejects unreadable and non-JSON files clearly', () => {
    expect(problemsOf(() => loadConfig({ env: {}, configFile: path.join(tmp, 'missing.json') }))[0]).toMatch(/cannot read/);
    const notJson = writeJson('not.json', '{ rtmpPort: 1');
    expect(problemsOf(() => loadConfig({ env: {}, configFile: notJson }))[0]).toMatch(/not valid JSON/);
    const arr = writeJson('arr.json', [1]);
    expect(problemsOf(() => loadConfig({ env: {}, configFile: arr }))[0]).toMatch(/expected a JSON object/);
  });

  it('requires a cluster secret of 16+ characters for origin, edge and control, not for all-in-one', () => {
    for (const role of ['origin', 'edge', 'control']) {
      expect(problemsOf(() => loadConfig({ env: { RTMPC_ROLE: role, RTMPC_CONTROL_TOKEN: 'sixteen-chars-ok' } }))).toContain(
        `RTMPC_CLUSTER_SECRET: required for the ${role} role (signs node commands)`,
      );
    }
    const short = problemsOf(() => loadConfig({ env: { RTMPC_ROLE: 'origin', RTMPC_CLUSTER_SECRET: 'short-secret-15' } }));
    expect(short[0]).toMatch(/RTMPC_CLUSTER_SECRET: expected a string of at least 16 characters/);
    expect(short.join('\n')).not.toContain('short-secret-15');
    expect(loadConfig({ env: { RTMPC_ROLE: 'origin', RTMPC_CLUSTER_SECRET: 'a-cluster-secret-16' } }).clusterSecret).toBe('a-cluster-secret-16');
    expect(loadConfig({ env: {} }).clusterSecret).toBeUndefined();
  });

  it('requires a control token for the control role', () => {
    expect(problemsOf(() => loadConfig({ env: { RTMPC_ROLE: 'control', RTMPC_CLUSTER_SECRET: 'a-cluster-secret-16' } }))[0]).toMatch(/RTMPC_CONTROL_TOKEN: required/);
    expect(loadConfig({ env: { RTMPC_ROLE: 'control', RTMPC_CONTROL_TOKEN: 'sixteen-chars-ok', RTMPC_CLUSTER_SECRET: 'a-cluster-secret-16' } }).controlToken).toBe('sixteen-chars-ok');
    // A short token is guessable: refused, and the message does not repeat it.
    const short = problemsOf(() => loadConfig({ env: { RTMPC_ROLE: 'control', RTMPC_CONTROL_TOKEN: 'fifteen-chars-x' } }));
    expect(short[0]).toMatch(/RTMPC_CONTROL_TOKEN: expected a string of at least 16 characters/);
    expect(short.join('\n')).not.toContain('fifteen-chars-x');
  });

  it('ignores empty env values (unset in a chart) and keeps explicit advertise addresses', () => {
    const c = loadConfig({ env: { RTMPC_RTMP_PORT: '', RTMPC_ADVERTISE_ADDRESS: 'origin-0.origins:1935' }, hostname: 'x' });
    expect(c.rtmpPort).toBe(1935);
    expect(c.advertiseAddress).toBe('origin-0.origins:1935');
    expect(problemsOf(() => loadConfig({ env: { RTMPC_ADVERTISE_ADDRESS: 'nohost' } }))).toEqual([
      'RTMPC_ADVERTISE_ADDRESS: expected host:port, got "nohost"',
    ]);
  });

  it('reads an advertise address by the host:port rule of the registry: [IPv6]:port yes, port 0 or a bare IPv6 no', () => {
    expect(loadConfig({ env: { RTMPC_ADVERTISE_ADDRESS: '[fd00::12]:1935' }, hostname: 'x' }).advertiseAddress).toBe('[fd00::12]:1935');
    for (const bad of ['origin:0', 'origin:70000', 'fd00::12:1935', 'a b:1935']) {
      expect(problemsOf(() => loadConfig({ env: { RTMPC_ADVERTISE_ADDRESS: bad } })), bad).toEqual([
        `RTMPC_ADVERTISE_ADDRESS: expected host:port, got ${JSON.stringify(bad)}`,
      ]);
    }
  });
});

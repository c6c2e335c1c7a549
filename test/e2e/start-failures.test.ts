/**
 * The shipped executable refusing to start: a misspelled variable, a port already in use, a missing or
 * unusable certificate, an unreachable Redis or NATS. Each is one readable line on stderr (no stack) and
 * the exit code the README documents.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from 'rtmp-cluster';
import { CLI, executableEnv } from '../support/executable.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServerHandle } from '../support/redis-server.js';
import { ClientProcesses, type ProcessResult } from '../support/rtmp-clients.js';

const code = (name: (typeof EXIT_CODES)[number]['name']): number => EXIT_CODES.find((e) => e.name === name)!.code;

describe('rtmp-cluster start failures', () => {
  const procs = new ClientProcesses();
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-e2e-start-'));
    expect(fs.existsSync(CLI), `${CLI} missing: run npm run build first`).toBe(true);
  });
  afterAll(async () => {
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs the executable with only `env` as its RTMPC_* settings (local listeners on free ports by default). */
  async function run(args: string[], env: Record<string, string>): Promise<ProcessResult> {
    const base = {
      RTMPC_RTMP_HOST: '127.0.0.1',
      RTMPC_RTMP_PORT: String(await freePort()),
      RTMPC_HTTP_HOST: '127.0.0.1',
      RTMPC_HTTP_PORT: String(await freePort()),
      RTMPC_WEB_HOST: '127.0.0.1',
      RTMPC_WEB_PORT: '0',
      RTMPC_CLUSTER_SECRET: 'start-failures-cluster-secret',
    };
    return procs.run('node', [CLI, ...args], { env: executableEnv({ ...base, ...env }), timeoutMs: 30_000 });
  }

  /** Exactly one stderr line, no stack trace anywhere in the output. */
  function expectOneLine(r: ProcessResult, exit: number, line: string | RegExp): void {
    expect(r.timedOut).toBe(false);
    expect(r.code, r.stderr).toBe(exit);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines, r.stderr).toHaveLength(1);
    if (typeof line === 'string') expect(lines[0]).toBe(line);
    else expect(lines[0]).toMatch(line);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at \S+ \(|"stack"/);
  }

  /** Holds a port the way another process would. */
  async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
  }

  it('a misspelled variable: exit 2 naming the setting that was meant', async () => {
    const r = await run(['all-in-one'], { RTMPC_RTMP_PRT: '31100' });
    expectOneLine(r, code('config'), 'rtmp-cluster: unknown setting RTMPC_RTMP_PRT (did you mean RTMPC_RTMP_PORT?)');
    expect(r.stdout).toBe('');
  });

  it('a port in use: exit 3 naming the address and the setting', async () => {
    const busy = await occupy();
    try {
      const rtmp = await run(['all-in-one'], { RTMPC_RTMP_PORT: String(busy.port) });
      expectOneLine(rtmp, code('listen'), `rtmp-cluster: cannot listen on 127.0.0.1:${busy.port} (RTMPC_RTMP_PORT): address already in use`);
      const http = await run(['all-in-one'], { RTMPC_HTTP_PORT: String(busy.port) });
      expectOneLine(http, code('listen'), `rtmp-cluster: cannot listen on 127.0.0.1:${busy.port} (RTMPC_HTTP_PORT): address already in use`);
      // The gRPC control API (all-in-one with a control token) reports its bind failure the same way.
      const grpc = await run(['all-in-one'], { RTMPC_CONTROL_TOKEN: 'start-failures-token-1', RTMPC_GRPC_HOST: '127.0.0.1', RTMPC_GRPC_PORT: String(busy.port) });
      expectOneLine(grpc, code('listen'), `rtmp-cluster: cannot listen on 127.0.0.1:${busy.port} (RTMPC_GRPC_PORT): address already in use`);
      // The log keeps a structured record of it, for log pipelines.
      const fatal = rtmp.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['level'] === 60);
      expect(fatal).toMatchObject({ msg: 'node failed to start', code: 'EADDRINUSE' });
    } finally {
      await busy.close();
    }
  });

  it('a missing certificate file: exit 2 naming the setting and the file; an unusable one too', async () => {
    const key = path.join(tmp, 'tls.key');
    fs.writeFileSync(key, 'not a key');
    const missing = path.join(tmp, 'missing.crt');
    const r = await run(['all-in-one'], { RTMPC_TLS_CERT_FILE: missing, RTMPC_TLS_KEY_FILE: key });
    expectOneLine(r, code('config'), `rtmp-cluster: RTMPC_TLS_CERT_FILE: cannot read ${missing} (ENOENT)`);
    const garbage = path.join(tmp, 'tls.crt');
    fs.writeFileSync(garbage, 'not a certificate');
    const unusable = await run(['all-in-one'], { RTMPC_TLS_CERT_FILE: garbage, RTMPC_TLS_KEY_FILE: key, RTMPC_RTMPS_PORT: String(await freePort()) });
    expectOneLine(unusable, code('config'), new RegExp(`^rtmp-cluster: RTMPC_TLS_CERT_FILE and RTMPC_TLS_KEY_FILE: .*${garbage}`));
  });

  it('an unreachable Redis at start: exit 4 naming the URL (without its password)', async () => {
    const port = await freePort(); // nothing listens there
    const [r, edge] = await Promise.all([
      run(['origin'], { RTMPC_REDIS_URL: `redis://user:s3cret-pw@127.0.0.1:${port}` }),
      run(['edge'], { RTMPC_REDIS_URL: `redis://127.0.0.1:${port}` }),
    ]);
    expectOneLine(r, code('backend'), new RegExp(`^rtmp-cluster: cannot reach Redis at redis://\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(RTMPC_REDIS_URL\\): .*ECONNREFUSED`));
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret-pw');
    expectOneLine(edge, code('backend'), new RegExp(`^rtmp-cluster: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(RTMPC_REDIS_URL\\)`));
    expect(edge.stdout).toContain('REGISTRY_UNAVAILABLE');
  });

  describe('with a running Redis', () => {
    let redis: RedisServerHandle;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('an unreachable NATS at start: exit 4 naming the servers', async () => {
      const port = await freePort();
      const r = await run(['origin'], { RTMPC_REDIS_URL: redis.url, RTMPC_NATS_SERVERS: `nats://127.0.0.1:${port}` });
      expectOneLine(r, code('backend'), new RegExp(`^rtmp-cluster: cannot reach NATS at nats://127\\.0\\.0\\.1:${port} \\(RTMPC_NATS_SERVERS\\): `));
    });
  });
});

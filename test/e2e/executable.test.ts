/**
 * The built executable (packages/node/dist/cli.js): configuration errors exit 2 with a clear message (the
 * other start failures are in start-failures.test.ts);
 * a good configuration serves RTMP, /healthz, /readyz and /metrics, and SIGTERM drains and exits 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish, type ClientProcess } from '../support/rtmp-clients.js';
import { TestRtmpClient } from './support/TestRtmpClient.js';
import { waitFor } from '../support/waitFor.js';
import { CLI, executableEnv } from '../support/executable.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('rtmp-cluster executable', () => {
  const procs = new ClientProcesses();
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-e2e-cli-'));
    // The test runs what `npm start` runs: the bundle of the compiled output, which must be current (`npm test`
    // and the documented command build first).
    expect(fs.existsSync(CLI), `${CLI} missing: run npm run build first`).toBe(true);
    const built = fs.statSync(path.join(root, 'packages/node/dist/.tsbuildinfo')).mtimeMs;
    const stale = fs
      .readdirSync(path.join(root, 'packages/node/src'))
      .filter((f) => f.endsWith('.ts') && fs.statSync(path.join(root, 'packages/node/src', f)).mtimeMs > built + 1000);
    expect(stale, 'packages/node/dist is older than its sources: run npm run build first').toEqual([]);
    expect(fs.statSync(CLI).mtimeMs, 'the bundle is older than the compiled output: run npm run build').toBeGreaterThanOrEqual(fs.statSync(path.join(root, 'packages/node/dist/cli.js')).mtimeMs);
  });

  afterAll(async () => {
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('exits 2 naming the bad environment value', async () => {
    const r = await procs.run('node', [CLI, 'all-in-one'], { env: executableEnv({ RTMPC_RTMP_PORT: 'abc' }), timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('RTMPC_RTMP_PORT: expected an integer 1-65535, got "abc"');
  });

  it('exits 2 for a bad config file value and for an unknown role', async () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ drainTimeoutMs: -5 }));
    const r = await procs.run('node', [CLI, '--config', file], { env: executableEnv({}), timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`drainTimeoutMs (in ${file}): expected an integer`);
    const role = await procs.run('node', [CLI, 'router'], { env: executableEnv({}), timeoutMs: 15_000 });
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('role: expected one of all-in-one, origin, edge, control, got "router"');
  });

  it('serves RTMP and health endpoints, drains on SIGTERM and exits 0', async () => {
    const [rtmpPort, httpPort] = [await freePort(), await freePort()];
    const flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    const server: ClientProcess = procs.spawn('node', [CLI, 'all-in-one'], {
      env: executableEnv({
        RTMPC_RTMP_HOST: '127.0.0.1',
        RTMPC_RTMP_PORT: String(rtmpPort),
        RTMPC_HTTP_HOST: '127.0.0.1',
        RTMPC_HTTP_PORT: String(httpPort),
        RTMPC_WEB_HOST: '127.0.0.1',
        RTMPC_WEB_PORT: '0',
        RTMPC_DRAIN_TIMEOUT_MS: '5000',
        RTMPC_NODE_ID: 'cli-test',
      }),
      timeoutMs: 45_000,
    });
    const http = `http://127.0.0.1:${httpPort}`;
    await waitFor(async () => (await fetch(`${http}/readyz`).catch(() => undefined))?.status === 200, 15_000, 'readyz', 100);
    const healthz = await fetch(`${http}/healthz`);
    expect(healthz.status).toBe(200);

    const rtmp = `rtmp://127.0.0.1:${rtmpPort}/live/cli`;
    const publisher = ffmpegPublish(procs, flv, rtmp, { loop: true, timeoutMs: 40_000 });
    const player = await TestRtmpClient.connect(`rtmp://127.0.0.1:${rtmpPort}/live`);
    try {
      await player.play('cli');
      await player.until(() => player.mediaCount.video >= 30, 10_000, 'frames through the executable');
      const metrics = await (await fetch(`${http}/metrics`)).text();
      expect(metrics).toMatch(/^rtmpc_rtmp_connections 2$/m);
      expect(metrics).toMatch(/^rtmpc_streams_live 1$/m);
      expect(metrics).toMatch(/^rtmpc_rtmp_publishers 1$/m);
      expect(metrics).toMatch(/^rtmpc_rtmp_players 1$/m);
      const bytesIn = Number(/^rtmpc_rtmp_bytes_received_total (\d+)$/m.exec(metrics)?.[1]);
      const bytesOut = Number(/^rtmpc_rtmp_bytes_sent_total (\d+)$/m.exec(metrics)?.[1]);
      expect(bytesIn).toBeGreaterThan(10_000);
      expect(bytesOut).toBeGreaterThan(10_000);

      const signalledAt = performance.now();
      process.kill(server.pid, 'SIGTERM');
      const result = await server.exited;
      const took = performance.now() - signalledAt;
      expect(result.code, result.stderr).toBe(0);
      expect(took).toBeLessThan(5000 + 2000);
      // Players were told the stream ended before their connection closed.
      expect(player.statusCodes()).toContain('NetStream.Play.UnpublishNotify');
      await player.until(() => player.closed, 5000, 'player closed by the server');
      const pub = await publisher.exited;
      expect(pub.timedOut).toBe(false);
      const lines = result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; nodeId: string });
      expect(lines.some((l) => l.msg === 'draining')).toBe(true);
      expect(lines.at(-1)?.msg).toBe('node stopped');
      expect(lines.every((l) => l.nodeId === 'cli-test')).toBe(true);
    } finally {
      player.close();
    }
  });
});

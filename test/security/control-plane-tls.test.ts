/**
 * TLS for the gRPC control API (issue 14, item 7) on the shipped executable: the all-in-one with a control token
 * and RTMPC_GRPC_TLS_CERT_FILE/KEY_FILE serves the API over TLS only; `rtmpctl --ca` verifies it, a plaintext
 * rtmpctl and `--tls` against the system roots fail; replacing the files switches new connections to the new
 * certificate without a restart; a pair that does not load stops the node with exit 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, executableEnv } from '../support/executable.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startChildNode } from './support/childNode.js';
import { makeSelfSignedCert, type TestCert } from './support/tlsCert.js';

const RTMPCTL = path.resolve(import.meta.dirname, '../../packages/control/bin/rtmpctl.js');
const TOKEN = 'control-tls-token-0123';

describe('gRPC control API over TLS', () => {
  const procs = new ClientProcesses();
  let dir: string;
  let first: TestCert;
  let second: TestCert;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-grpc-tls-'));
    first = await makeSelfSignedCert(dir, 'first');
    second = await makeSelfSignedCert(dir, 'second');
  });
  afterAll(async () => {
    await procs.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rtmpctl = (port: number, args: string[], env: Record<string, string> = {}) =>
    procs.run('node', [RTMPCTL, '--address', `127.0.0.1:${port}`, '--timeout', '3000', ...args, 'nodes'], {
      env: { ...process.env, RTMPCTL_TOKEN: TOKEN, ...env },
      timeoutMs: 20_000,
    });

  it('verifies with --ca, refuses plaintext (exit 4) and unverifiable --tls, and serves a replaced certificate', async () => {
    const live = { certFile: path.join(dir, 'live.crt'), keyFile: path.join(dir, 'live.key') };
    fs.copyFileSync(first.certFile, live.certFile);
    fs.copyFileSync(first.keyFile, live.keyFile);
    const grpcPort = await freePort();
    const node = await startChildNode(procs, {
      RTMPC_CONTROL_TOKEN: TOKEN,
      RTMPC_GRPC_PORT: String(grpcPort),
      RTMPC_GRPC_TLS_CERT_FILE: live.certFile,
      RTMPC_GRPC_TLS_KEY_FILE: live.keyFile,
      RTMPC_TLS_RELOAD_INTERVAL_MS: '200',
      RTMPC_LOG_LEVEL: 'info',
    }, 60_000);
    try {
      const ok = await rtmpctl(grpcPort, ['--ca', first.certFile]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('security-child');
      const viaEnv = await rtmpctl(grpcPort, [], { RTMPCTL_CA: first.certFile });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);

      const plain = await rtmpctl(grpcPort, []);
      expect(plain.code, plain.stderr + plain.stdout).toBe(4);
      expect(plain.stdout).not.toContain('security-child');

      const systemRoots = await rtmpctl(grpcPort, ['--tls']);
      expect(systemRoots.code, systemRoots.stderr).toBe(4);
      expect(systemRoots.stdout).not.toContain('security-child');

      // Rotate: write the second pair over the served files (as a Secret volume update would).
      fs.copyFileSync(second.keyFile, live.keyFile);
      fs.copyFileSync(second.certFile, live.certFile);
      await waitFor(async () => (await rtmpctl(grpcPort, ['--ca', second.certFile])).code === 0, 20_000, 'rtmpctl --ca second.crt succeeds', 300);
      const rotated = await rtmpctl(grpcPort, ['--ca', second.certFile]);
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stdout).toContain('security-child');
      // The old CA no longer verifies what new connections are served.
      const stale = await rtmpctl(grpcPort, ['--ca', first.certFile]);
      expect(stale.code).toBe(4);
      expect(node.proc.stdout()).toContain('tls certificate reloaded');
      expect(node.alive()).toBe(true);
    } finally {
      await node.proc.stop();
    }
  });

  it('a missing certificate file or a key of another certificate exits 2 naming the settings', async () => {
    const base = {
      RTMPC_CONTROL_TOKEN: TOKEN,
      RTMPC_RTMP_PORT: String(await freePort()),
      RTMPC_HTTP_PORT: String(await freePort()),
      RTMPC_GRPC_PORT: String(await freePort()),
    };
    const missing = await procs.run('node', [CLI, 'all-in-one'], {
      env: executableEnv({ ...base, RTMPC_GRPC_TLS_CERT_FILE: path.join(dir, 'absent.crt'), RTMPC_GRPC_TLS_KEY_FILE: first.keyFile }),
      timeoutMs: 15_000,
    });
    expect(missing.code, missing.stderr + missing.stdout).toBe(2);
    expect(missing.stderr).toContain('RTMPC_GRPC_TLS_CERT_FILE');

    const mismatched = await procs.run('node', [CLI, 'all-in-one'], {
      env: executableEnv({ ...base, RTMPC_GRPC_TLS_CERT_FILE: first.certFile, RTMPC_GRPC_TLS_KEY_FILE: second.keyFile }),
      timeoutMs: 15_000,
    });
    expect(mismatched.code, mismatched.stderr + mismatched.stdout).toBe(2);
    expect(mismatched.stderr).toContain('RTMPC_GRPC_TLS_CERT_FILE and RTMPC_GRPC_TLS_KEY_FILE');
  });
});

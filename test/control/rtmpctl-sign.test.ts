/**
 * `rtmpctl sign` (documented for operators) and `rtmp-cluster sign` are one command: the built executables print the
 * same signed URL, and the token verifies for the stream it names.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStreamToken } from '@rtmp-cluster/auth';
import { CLI, executableEnv } from '../support/executable.js';
import { ClientProcesses } from '../support/rtmp-clients.js';

const RTMPCTL = path.resolve(import.meta.dirname, '../../packages/control/bin/rtmpctl.js');
const SECRET = 'operator-secret-0123456789';

describe('rtmpctl sign', () => {
  const procs = new ClientProcesses();
  afterAll(() => procs.stopAll());

  it('prints the signed URL rtmp-cluster sign prints, from the node key list (RTMPC_AUTH_KEYS)', async () => {
    const env = executableEnv({ RTMPC_AUTH_KEYS: `k0:other-secret-0123456789,k1:${SECRET}` });
    const args = ['sign', '--action', 'publish', '--app', 'live', '--name', 'cam1', '--keys-env', 'RTMPC_AUTH_KEYS',
      '--key-id', 'k1', '--expires-at', '4000000000', '--url', 'rtmp://ingest.example:1935'];
    const [ctl, node] = await Promise.all([
      procs.run('node', [RTMPCTL, ...args], { env, timeoutMs: 15_000 }),
      procs.run('node', [CLI, ...args], { env, timeoutMs: 15_000 }),
    ]);
    expect(ctl.code, ctl.stderr).toBe(0);
    expect(ctl.stdout).toBe(node.stdout);
    const url = new URL(ctl.stdout.trim());
    expect(`${url.host}${url.pathname}`).toBe('ingest.example:1935/live/cam1');
    const token = url.searchParams.get('token')!;
    const keys = [{ id: 'k1', secret: SECRET }];
    expect(verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys, now: Date.now() })).toMatchObject({ ok: true, keyId: 'k1' });
    expect(verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam2', keys, now: Date.now() }).ok).toBe(false);
  });

  it('exits 2 with the reason when the key list lacks the key', async () => {
    const r = await procs.run('node', [RTMPCTL, 'sign', '--action', 'play', '--app', 'live', '--name', 'x', '--keys-env', 'K', '--key-id', 'k7'], {
      env: executableEnv({ K: `k1:${SECRET}` }),
      timeoutMs: 15_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("K has no key 'k7' (it has 'k1')");
    expect(r.stderr).not.toContain(SECRET);
  });
});

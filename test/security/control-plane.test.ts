/**
 * Control plane hardening (issue 14, item 7) on the shipped executable: a control token shorter than 16
 * characters stops the node with exit code 2 (without printing the token); a 16-character token starts it.
 */
import net from 'node:net';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, executableEnv } from '../support/executable.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses } from '../support/rtmp-clients.js';
import { controlClient, unary } from '../control/support/grpc.js';
import { startChildNode } from './support/childNode.js';

describe('control token strength', () => {
  const procs = new ClientProcesses();
  afterAll(() => procs.stopAll());

  it('a 1- or 15-character RTMPC_CONTROL_TOKEN exits 2 naming the setting, not the token', async () => {
    for (const token of ['x', 'fifteen-chars-x']) {
      const r = await procs.run('node', [CLI, 'all-in-one'], {
        env: executableEnv({ RTMPC_CONTROL_TOKEN: token, RTMPC_RTMP_PORT: String(await freePort()), RTMPC_HTTP_PORT: String(await freePort()) }),
        timeoutMs: 15_000,
      });
      expect(r.code, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toContain('RTMPC_CONTROL_TOKEN: expected a string of at least 16 characters');
      if (token.length > 1) expect(r.stderr + r.stdout).not.toContain(token);
    }
  });

  it('a 16-character token starts the node; without RTMPC_GRPC_HOST the API listens on 127.0.0.1 only', async () => {
    const token = 'sixteen-chars-ok';
    const grpcPort = await freePort();
    const node = await startChildNode(procs, { RTMPC_CONTROL_TOKEN: token, RTMPC_GRPC_PORT: String(grpcPort), RTMPC_LOG_LEVEL: 'info' }, 60_000);
    const c = controlClient(`127.0.0.1:${grpcPort}`, token);
    try {
      const nodes = await unary<{ nodes: { id: string }[] }>(c, 'ListNodes');
      expect(nodes.nodes.map((n) => n.id)).toEqual(['security-child']);
      const listening = node.proc.stdout().split('\n').filter((l) => l.includes('"control API listening"'));
      expect(listening).toHaveLength(1);
      expect(JSON.parse(listening[0]!)).toMatchObject({ host: '127.0.0.1', port: grpcPort });
      // Another address of this machine (if it has one) does not reach the API.
      const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
      if (external) expect(await connects(external.address, grpcPort)).toBe(false);
      expect(await connects('127.0.0.1', grpcPort)).toBe(true);
    } finally {
      c.close();
      await node.proc.stop();
    }
  });
});

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The built rtmp-cluster executable, and its `sign` command run as an operator would (secret from the environment). */
import path from 'node:path';
import { expect } from 'vitest';
import { freePort } from './ports.js';
import type { ClientProcess, ClientProcesses } from './rtmp-clients.js';

/** packages/node/bundle/cli.js, the executable that ships: run `npm run build` before the tests that spawn it */
export const CLI = path.resolve(import.meta.dirname, '../../packages/node/bundle/cli.js');

/** Signs with key id k1 and `secret`; asserts the command succeeded and returns what it printed (a token or URL). */
export async function signWithCli(procs: ClientProcesses, secret: string, args: string[]): Promise<string> {
  const r = await procs.run('node', [CLI, 'sign', ...args, '--key-id', 'k1', '--secret-env', 'RTMPC_TEST_SIGNING_SECRET'], {
    env: { ...process.env, RTMPC_TEST_SIGNING_SECRET: secret },
    timeoutMs: 15_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** This process's environment without its RTMPC_* variables (so only the test's configuration counts), plus `extra`. */
export function executableEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RTMPC_')) env[k] = v;
  return { ...env, ...extra };
}

/** The shipped executable running all-in-one on free loopback ports. */
export interface ExecutableNode {
  proc: ClientProcess;
  rtmp: number;
  http: number;
  grpc: number;
  /** the players' web listener */
  web: number;
  /** GET on its HTTP port: the status code */
  status(path: string): Promise<number>;
}

/** Spawns `rtmp-cluster all-in-one` (the built CLI) with every listener on a free 127.0.0.1 port, plus `env`. */
export async function spawnAllInOne(procs: ClientProcesses, env: Record<string, string>): Promise<ExecutableNode> {
  const [rtmp, http, grpc, web] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const proc = procs.spawn('node', [CLI, 'all-in-one'], {
    env: executableEnv({
      RTMPC_RTMP_HOST: '127.0.0.1',
      RTMPC_RTMP_PORT: String(rtmp),
      RTMPC_HTTP_HOST: '127.0.0.1',
      RTMPC_HTTP_PORT: String(http),
      RTMPC_WEB_HOST: '127.0.0.1',
      RTMPC_WEB_PORT: String(web),
      RTMPC_GRPC_HOST: '127.0.0.1',
      RTMPC_GRPC_PORT: String(grpc),
      ...env,
    }),
    timeoutMs: 300_000,
  });
  return { proc, rtmp, http, grpc, web, status: async (p) => (await fetch(`http://127.0.0.1:${http}${p}`)).status };
}

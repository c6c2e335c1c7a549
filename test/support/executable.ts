/** The built rtmp-cluster executable, and its `sign` command run as an operator would (secret from the environment). */
import path from 'node:path';
import { expect } from 'vitest';
import type { ClientProcesses } from './rtmp-clients.js';

/** packages/node/dist/cli.js: run `npx tsc -b` before the tests that spawn it */
export const CLI = path.resolve(import.meta.dirname, '../../packages/node/dist/cli.js');

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

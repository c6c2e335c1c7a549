/**
 * The built rtmpctl (packages/control/dist/rtmpctl.js) run as a child process, asynchronously: the control
 * server under test may live in the test process itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RTMPCTL_BIN = fileURLToPath(new URL('../../dist/rtmpctl.js', import.meta.url));
const RTMPCTL_SRC = fileURLToPath(new URL('../../src/RtmpctlCli.ts', import.meta.url));

export interface RtmpctlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RtmpctlRun {
  /** resolves when the process exited (SIGKILLed after 20 s) */
  done: Promise<RtmpctlResult>;
  /** for `watch`: resolves once it reported its subscription on stderr; rejects if it exited before */
  watching: Promise<void>;
}

/** Fails when the built CLI is missing or older than its source (the tests would test stale code). */
export function assertRtmpctlBuilt(): void {
  if (!existsSync(RTMPCTL_BIN) || statSync(RTMPCTL_BIN).mtimeMs < statSync(RTMPCTL_SRC).mtimeMs) {
    throw new Error(`${RTMPCTL_BIN} is missing or older than its source: run \`npx tsc -b\` first`);
  }
}

export function startRtmpctl(args: string[], env: NodeJS.ProcessEnv = process.env): RtmpctlRun {
  const child = spawn(process.execPath, [RTMPCTL_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let reportWatching: () => void = () => undefined;
  let failWatching: (err: Error) => void = () => undefined;
  const watching = new Promise<void>((resolve, reject) => {
    reportWatching = resolve;
    failWatching = reject;
  });
  // most runs are not `watch`: nobody awaits this promise then
  watching.catch(() => undefined);
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.includes('watching cluster events')) reportWatching();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<RtmpctlResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      failWatching(new Error(`rtmpctl exited (${code}) before it was watching:\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return { done, watching };
}

export function runRtmpctl(args: string[], env?: NodeJS.ProcessEnv): Promise<RtmpctlResult> {
  return startRtmpctl(args, env).done;
}

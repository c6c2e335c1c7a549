import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './ports.js';

// Every server a test spawns is registered here so that a crashed or
// interrupted test run does not leave redis-server / nats-server behind.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllSpawned(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllSpawned);
  // 'exit' does not run when the test worker is terminated by a signal: clean up, then die of the same signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSpawned();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

export interface SpawnedServer {
  readonly child: ChildProcess;
  /** Last lines of output, for error messages. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

export function spawnServer(command: string, args: string[]): SpawnedServer {
  installExitHook();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      tail += `\nspawn error: ${err.message}`;
      live.delete(child);
      resolve();
    });
  });
  return { child, output: () => tail, exited };
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Sends a signal to the process by PID and waits for it to exit (SIGKILL after graceMs). */
export async function terminate(server: SpawnedServer, signal: NodeJS.Signals, graceMs = 3000): Promise<void> {
  const { child } = server;
  if (!isRunning(child) || child.pid === undefined) {
    await server.exited;
    return;
  }
  try {
    process.kill(child.pid, signal);
  } catch {
    // exited between the check and the kill
  }
  const timer = setTimeout(() => {
    if (isRunning(child) && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, graceMs);
  await server.exited;
  clearTimeout(timer);
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Polls until the port accepts TCP connections; fails if the process exits or the deadline passes. */
export async function waitForPort(server: SpawnedServer, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(server.child)) {
      throw new Error(`server exited before listening on ${port}:\n${server.output()}`);
    }
    if (await tryConnect(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`server did not listen on ${port} within ${timeoutMs} ms:\n${server.output()}`);
}

/** A server process on one port that a test can stop, crash and start again on the SAME port. */
export interface RestartableServer {
  readonly port: number;
  /** Graceful stop (SIGTERM, SIGKILL after a grace period); safe to call twice. */
  stop(): Promise<void>;
  /** Stops if running, then starts a fresh server on the same port. */
  restart(): Promise<void>;
  /** SIGKILL: simulates a crash. */
  kill(): Promise<void>;
  readonly running: boolean;
}

/**
 * Spawns `command` with `argsFor(port)` and waits until the port accepts connections. Without `fixedPort` a
 * free port is picked; it may be taken by a parallel test between probing and binding, so a failed start is
 * retried on another free port.
 */
export async function startRestartableServer(
  command: string,
  argsFor: (port: number) => string[],
  fixedPort: number | undefined,
): Promise<RestartableServer> {
  const launch = async (p: number): Promise<SpawnedServer> => {
    const server = spawnServer(command, argsFor(p));
    try {
      await waitForPort(server, p);
    } catch (err) {
      await terminate(server, 'SIGKILL');
      throw err;
    }
    return server;
  };
  let port = fixedPort ?? (await freePort());
  let current: SpawnedServer | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      current = await launch(port);
      break;
    } catch (err) {
      if (fixedPort !== undefined || attempt >= 3) throw err;
      port = await freePort();
    }
  }
  return {
    port,
    get running() {
      return current !== undefined && isRunning(current.child);
    },
    async stop() {
      if (current) await terminate(current, 'SIGTERM');
      current = undefined;
    },
    async kill() {
      if (current) await terminate(current, 'SIGKILL');
      current = undefined;
    },
    async restart() {
      if (current) await terminate(current, 'SIGTERM');
      current = await launch(port);
    },
  };
}

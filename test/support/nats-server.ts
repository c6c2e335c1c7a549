import { freePort } from './ports.js';
import { spawnServer, terminate, waitForPort, type SpawnedServer } from './spawned-process.js';

export interface NatsServerHandle {
  readonly port: number;
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  /** Graceful stop (SIGTERM, SIGKILL after a grace period); safe to call twice. */
  stop(): Promise<void>;
  /** Stops if running, then starts a fresh server on the SAME port. */
  restart(): Promise<void>;
  /** SIGKILL: simulates a crash. */
  kill(): Promise<void>;
  readonly running: boolean;
}

export interface StartNatsOptions {
  port?: number;
  /** require this user/password (nats-server --user/--pass) */
  user?: string;
  pass?: string;
  /** require this token (nats-server --auth) */
  token?: string;
  /** serve TLS with this PEM certificate and key (nats-server --tls --tlscert --tlskey) */
  tls?: { certFile: string; keyFile: string };
}

export async function startNats(opts: StartNatsOptions = {}): Promise<NatsServerHandle> {
  let port = opts.port ?? (await freePort());
  const extra: string[] = [];
  if (opts.user !== undefined) extra.push('--user', opts.user);
  if (opts.pass !== undefined) extra.push('--pass', opts.pass);
  if (opts.token !== undefined) extra.push('--auth', opts.token);
  if (opts.tls !== undefined) extra.push('--tls', '--tlscert', opts.tls.certFile, '--tlskey', opts.tls.keyFile);
  const launch = async (p: number): Promise<SpawnedServer> => {
    const server = spawnServer('nats-server', ['-a', '127.0.0.1', '-p', String(p), ...extra]);
    try {
      await waitForPort(server, p);
    } catch (err) {
      await terminate(server, 'SIGKILL');
      throw err;
    }
    return server;
  };
  let server: SpawnedServer | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      server = await launch(port);
      break;
    } catch (err) {
      if (opts.port !== undefined || attempt >= 3) throw err;
      port = await freePort();
    }
  }
  let current: SpawnedServer | undefined = server;
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    get running() {
      return current !== undefined && current.child.exitCode === null && current.child.signalCode === null;
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

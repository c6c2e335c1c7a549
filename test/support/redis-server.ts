import { freePort } from './ports.js';
import { spawnServer, terminate, waitForPort, type SpawnedServer } from './spawned-process.js';

export interface RedisServerHandle {
  readonly port: number;
  /** redis://127.0.0.1:PORT (with the password when one was requested) */
  readonly url: string;
  /** Graceful stop (SIGTERM, SIGKILL after a grace period); safe to call twice. */
  stop(): Promise<void>;
  /** Stops if running, then starts a fresh (empty) server on the SAME port. */
  restart(): Promise<void>;
  /** SIGKILL: simulates a crash. */
  kill(): Promise<void>;
  readonly running: boolean;
}

export interface StartRedisOptions {
  port?: number;
  password?: string;
  /**
   * serve TLS only, on `port` (redis-server --tls-port, plain port off), with this PEM certificate and key;
   * clients are not asked for certificates. `url` is then rediss://.
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServerHandle> {
  let port = opts.port ?? (await freePort());
  const args = (p: number): string[] => {
    const a = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (opts.password !== undefined) a.push('--requirepass', opts.password);
    if (opts.tls !== undefined) {
      a[a.indexOf('--port') + 1] = '0';
      a.push('--tls-port', String(p), '--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile);
      a.push('--tls-ca-cert-file', opts.tls.caFile, '--tls-auth-clients', 'no');
    }
    return a;
  };
  const launch = async (p: number): Promise<SpawnedServer> => {
    const server = spawnServer('redis-server', args(p));
    try {
      await waitForPort(server, p);
    } catch (err) {
      await terminate(server, 'SIGKILL');
      throw err;
    }
    return server;
  };

  let server: SpawnedServer | undefined;
  // The free port may be taken by a parallel test between probing and binding.
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
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    port,
    url: `${opts.tls !== undefined ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
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

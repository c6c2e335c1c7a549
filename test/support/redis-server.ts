import { startRestartableServer, type RestartableServer } from './spawned-process.js';

/** A redis-server without persistence: restart() brings it back empty. */
export interface RedisServerHandle extends RestartableServer {
  /** redis://127.0.0.1:PORT (with the password when one was requested) */
  readonly url: string;
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
  const server = await startRestartableServer('redis-server', args, opts.port);
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
  return Object.assign(server, { url: `${opts.tls !== undefined ? 'rediss' : 'redis'}://${auth}127.0.0.1:${server.port}` });
}

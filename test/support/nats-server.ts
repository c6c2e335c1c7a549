import { startRestartableServer, type RestartableServer } from './spawned-process.js';

export interface NatsServerHandle extends RestartableServer {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
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
  const extra: string[] = [];
  if (opts.user !== undefined) extra.push('--user', opts.user);
  if (opts.pass !== undefined) extra.push('--pass', opts.pass);
  if (opts.token !== undefined) extra.push('--auth', opts.token);
  if (opts.tls !== undefined) extra.push('--tls', '--tlscert', opts.tls.certFile, '--tlskey', opts.tls.keyFile);
  const server = await startRestartableServer('nats-server', (p) => ['-a', '127.0.0.1', '-p', String(p), ...extra], opts.port);
  return Object.assign(server, { url: `nats://127.0.0.1:${server.port}` });
}

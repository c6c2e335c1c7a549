/**
 * Why a Redis connection fails, in Redis's own words. ioredis keeps reconnecting on an authentication or
 * TLS failure, so RedisRegistry.connect only reports "not ready within N ms"; when that happens the node asks
 * once more itself (AUTH + PING in RESP over one socket, same TLS options) and reports the answer:
 * "WRONGPASS invalid username-password pair ...", "NOAUTH Authentication required.", or the TLS error.
 */
import net from 'node:net';
import { nodeTls } from '@rtmp-cluster/core';
import type { NodeConfig } from './config.js';
import { redisConnectionOptions } from './BackendConnectionOptions.js';

function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Connects to the configured Redis with the configured credentials and TLS settings and returns the reason
 * it refuses us, or undefined when AUTH (if any) and PING succeed. Never rejects; bounded by `timeoutMs`.
 */
export function probeRedisConnection(config: NodeConfig, timeoutMs = 3000): Promise<string | undefined> {
  const { url, redis } = redisConnectionOptions(config);
  const u = new URL(url ?? config.redisUrl);
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  const username = redis?.username ?? (u.username !== '' ? decodeURIComponent(u.username) : undefined);
  const password = redis?.password ?? (u.password !== '' ? decodeURIComponent(u.password) : undefined);
  const commands = [
    ...(password !== undefined ? [resp(username !== undefined ? ['AUTH', username, password] : ['AUTH', password])] : []),
    resp(['PING']),
  ].join('');
  return new Promise((resolve) => {
    let settled = false;
    let buffered = '';
    const useTls = redis?.tls !== undefined;
    const socket: net.Socket = useTls
      ? nodeTls().connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: redis?.tls?.ca, cert: redis?.tls?.cert, key: redis?.tls?.key })
      : net.connect(port, host);
    const finish = (reason: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => finish(`no answer from ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.once(useTls ? 'secureConnect' : 'connect', () => socket.write(commands));
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      for (const line of buffered.split('\r\n').slice(0, -1)) {
        if (line.startsWith('-')) return finish(line.slice(1));
        if (line === '+PONG') return finish(undefined);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(`${err.code ? `${err.code}: ` : ''}${err.message}`));
    socket.on('close', () => finish(`${host}:${port} closed the connection`));
  });
}

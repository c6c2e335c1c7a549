/**
 * The PROXY protocol in front of the web listener (RTMPC_WEB_PROXY_PROTOCOL): a plain TCP listener reads the
 * header a trusted load balancer writes (the same reader and trust rules as the RTMP listener), then hands the
 * socket, with the bytes that followed the header put back, to the HTTP server as if it had accepted it. The
 * client address the header named is kept per socket for limits, auth, logs and sessions.
 */
import net from 'node:net';
import type http from 'node:http';
import { normalizeIp, type Logger } from '@rtmp-cluster/core';
import { readProxyPreface, type ProxyAddress, type ProxyProtocolOptions } from '@rtmp-cluster/server';

export class ProxyProtocolFront {
  readonly server: net.Server;
  private readonly clients = new WeakMap<net.Socket, ProxyAddress>();
  private lastWarnAt = 0;
  /** connections closed because their PROXY step failed (untrusted, missing or malformed header, timeout) */
  refused = 0;

  constructor(
    http: http.Server,
    private readonly options: ProxyProtocolOptions,
    timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.server = net.createServer({ noDelay: true }, (socket) => {
      socket.on('error', () => undefined);
      readProxyPreface(socket, options, timeoutMs, (outcome) => {
        if (!outcome.ok) {
          if (outcome.error === 'closed') return;
          this.refuse(socket, outcome.error === 'timeout' ? `no PROXY header or request within ${timeoutMs} ms` : `${outcome.error.code}: ${outcome.error.message}`);
          return;
        }
        if (outcome.client !== undefined) this.clients.set(socket, outcome.client);
        // The HTTP parser reads what is buffered on the socket before it reads the socket itself.
        if (outcome.rest.length > 0) socket.unshift(outcome.rest);
        http.emit('connection', socket);
        socket.resume();
      });
    });
  }

  /** The client a PROXY header named for this socket (undefined: no header, the peer is the client). */
  clientOf(socket: net.Socket): ProxyAddress | undefined {
    return this.clients.get(socket);
  }

  private refuse(socket: net.Socket, why: string): void {
    this.refused++;
    socket.destroy();
    const now = performance.now();
    // At most one warning a second: a flood of spoofed headers must not flood the log.
    if (now - this.lastWarnAt < 1000) return;
    this.lastWarnAt = now;
    this.log.warn({ remote: normalizeIp(socket.remoteAddress), mode: this.options.mode }, `web connection refused: ${why}`);
  }
}

/**
 * The public web listener (RTMPC_WEB_HOST/RTMPC_WEB_PORT), apart from the health/metrics port: CORS and
 * OPTIONS, per-address limits, the client address (X-Forwarded-For only from trusted proxies), then the
 * route table. Routes answer; everything else here is the same for every protocol.
 */
import type * as http from 'node:http';
import type net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { nodeHttp, normalizeIp, type Logger } from '@rtmp-cluster/core';
import { ConnectionRateLimiter, type ProxyProtocolOptions } from '@rtmp-cluster/server';
import { CorsPolicy } from './CorsPolicy.js';
import { ProxyProtocolFront } from './ProxyProtocolFront.js';
import { isWebError, WebError } from './WebError.js';
import type { WebRequestContext } from './WebRoute.js';
import type { WebRouter } from './WebRouter.js';

/** Addresses whose X-Forwarded-For is believed (a CidrList). */
export interface TrustedProxies {
  contains(ip: string): boolean;
}

export interface WebServerOptions {
  router: WebRouter;
  logger: Logger;
  /** origins allowed to use the listener from a page; [] = any */
  allowedOrigins?: readonly string[];
  /** proxies whose X-Forwarded-For names the client; default none */
  trustedProxies?: TrustedProxies;
  /**
   * PROXY protocol v1/v2 before HTTP (RTMPC_WEB_PROXY_PROTOCOL with RTMPC_PROXY_TRUSTED_CIDRS): the header of a
   * trusted load balancer names the client for limits, auth, logs and sessions; default off
   */
  proxyProtocol?: ProxyProtocolOptions;
  /** open connections per client address (RTMPC_MAX_CONNECTIONS_PER_IP) */
  maxConnectionsPerIp?: number;
  /** new connections per second per address and the bucket size (RTMPC_CONN_RATE_PER_IP / _BURST_) */
  connectionRatePerIp?: number;
  connectionBurstPerIp?: number;
  /** open connections in all */
  maxConnections?: number;
}

export class WebServer {
  private readonly server: http.Server;
  private readonly cors: CorsPolicy;
  private readonly rate: ConnectionRateLimiter;
  private readonly perIp = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  /** connections refused by a limit: their 429 is on its way, whatever request they already sent is not served */
  private readonly refusedSockets = new WeakSet<Socket>();
  private readonly log: Logger;
  private readonly front: ProxyProtocolFront | undefined;
  private nextId = 0;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** requests refused by a limit, by reason (metrics) */
  readonly refused = { rate: 0, perIp: 0, total: 0, origin: 0 };

  /** connections closed because their PROXY protocol step failed */
  get refusedProxyHeaders(): number {
    return this.front?.refused ?? 0;
  }

  constructor(private readonly o: WebServerOptions) {
    this.log = o.logger.child({ component: 'web' });
    this.cors = new CorsPolicy(o.allowedOrigins);
    this.rate = new ConnectionRateLimiter({ ratePerSecond: o.connectionRatePerIp ?? 0, burst: o.connectionBurstPerIp ?? 100 });
    // The handlers answer their own failures; should that answer fail too, only this request is cut.
    this.server = nodeHttp.createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => this.cut(res, err));
    });
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(req, socket, head).catch((err: unknown) => this.cut(socket, err));
    });
    this.server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
    // Slow clients must not hold sockets forever before sending a request.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 5_000;
    const proxy = o.proxyProtocol;
    if (proxy !== undefined && proxy.mode !== 'off') this.front = new ProxyProtocolFront(this.server, proxy, this.server.headersTimeout, this.log);
  }

  /** the socket that accepts connections: the PROXY protocol front when there is one */
  private get acceptor(): net.Server {
    return this.front?.server ?? this.server;
  }

  get router(): WebRouter {
    return this.o.router;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      const acceptor = this.acceptor;
      acceptor.once('error', onError);
      acceptor.listen(port, host, () => {
        acceptor.off('error', onError);
        resolve();
      });
    });
    this.pruneTimer = setInterval(() => this.rate.prune(performance.now()), 10_000);
    this.pruneTimer.unref();
    const a = this.acceptor.address() as AddressInfo;
    this.log.info({ address: `${a.address}:${a.port}`, routes: this.o.router.names, proxyProtocol: this.o.proxyProtocol?.mode ?? 'off' }, 'web listener started');
    return a;
  }

  address(): AddressInfo | null {
    const a = this.acceptor.address();
    return a && typeof a === 'object' ? a : null;
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Stops accepting; open responses (viewers) are cut. */
  async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (!this.acceptor.listening) return;
    if (this.front !== undefined) this.front.server.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------------------------------------

  private onConnection(socket: Socket): void {
    const client = this.front?.clientOf(socket);
    const ip = client?.address ?? normalizeIp(socket.remoteAddress);
    // Limits count the client a PROXY header named, else the socket's peer: behind a trusted HTTP proxy
    // (X-Forwarded-For) that is the proxy, which is exempt.
    const proxied = client === undefined && (this.o.trustedProxies?.contains(ip) ?? false);
    const refuse = (why: keyof WebServer['refused'], message: string): void => {
      this.refused[why]++;
      this.log.warn({ remote: ip, limit: why }, `web connection refused: ${message}`);
      this.refusedSockets.add(socket);
      socket.end('HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n' + message + '\n');
    };
    if (this.o.maxConnections !== undefined && this.sockets.size >= this.o.maxConnections) return refuse('total', `server connection limit reached (${this.o.maxConnections})`);
    if (!proxied) {
      if (!this.rate.tryAcquire(ip, performance.now())) return refuse('rate', `too many new connections from ${ip}`);
      const open = this.perIp.get(ip) ?? 0;
      if (this.o.maxConnectionsPerIp !== undefined && open >= this.o.maxConnectionsPerIp) return refuse('perIp', `too many connections from ${ip} (limit ${this.o.maxConnectionsPerIp})`);
      this.perIp.set(ip, open + 1);
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (proxied) return;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
  }

  /** The viewer's address: the PROXY header's client, else X-Forwarded-For's last hop not added by a trusted proxy. */
  private clientIpOf(req: http.IncomingMessage): string {
    const client = this.front?.clientOf(req.socket);
    if (client !== undefined) return client.address;
    const peer = normalizeIp(req.socket.remoteAddress);
    const trusted = this.o.trustedProxies;
    const xff = req.headers['x-forwarded-for'];
    if (!trusted || xff === undefined || !trusted.contains(peer)) return peer;
    const hops = (Array.isArray(xff) ? xff.join(',') : xff).split(',').map((h) => normalizeIp(h.trim())).filter((h) => h !== '?');
    // Walk from the nearest hop back while the hops are our own proxies; the first other one is the client.
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!trusted.contains(hops[i]!)) return hops[i]!;
    }
    return hops[0] ?? peer;
  }

  /** `closes`: the response or upgraded socket whose close ends what the request waits for */
  private context(req: http.IncomingMessage, closes: ClosingStream): WebRequestContext {
    const connId = `web-${++this.nextId}`;
    const url = new URL(req.url ?? '/', 'http://web.invalid');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new WebError('BAD_REQUEST', 'malformed percent-encoding in the path');
    }
    const clientIp = this.clientIpOf(req);
    const client = this.front?.clientOf(req.socket);
    const remoteAddress = client !== undefined ? `${client.address}:${client.port}` : `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    return {
      req,
      connId,
      path,
      query: url.searchParams,
      clientIp,
      remoteAddress,
      params: {},
      log: this.log.child({ connId, remote: clientIp }),
      closed: closedSignal(closes),
    };
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The HTTP parser reads a refused connection's request anyway (it was attached first): never play it.
    if (this.refusedSockets.has(req.socket)) return;
    const origin = req.headers.origin;
    try {
      if (!this.cors.allows(origin)) {
        this.refused.origin++;
        throw new WebError('ORIGIN_NOT_ALLOWED', `origin ${origin} is not allowed`);
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, this.cors.preflightHeaders(origin, req.headers['access-control-request-headers'])).end();
        return;
      }
      for (const [k, v] of Object.entries(this.cors.responseHeaders(origin))) res.setHeader(k, v);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new WebError('METHOD_NOT_ALLOWED', `method ${req.method} not allowed`);
      const base = this.context(req, res);
      const match = this.o.router.match(base.path);
      if (!match?.route.handle) throw new WebError('NOT_FOUND', `no such path: ${base.path}`);
      await match.route.handle({ ...base, params: match.params, log: base.log.child({ route: match.route.name }), res });
    } catch (err) {
      this.fail(res, err);
    }
  }

  private async onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (this.refusedSockets.has(req.socket)) return;
    try {
      if (!this.cors.allows(req.headers.origin)) {
        this.refused.origin++;
        throw new WebError('ORIGIN_NOT_ALLOWED', `origin ${req.headers.origin} is not allowed`);
      }
      if (req.method !== 'GET') throw new WebError('METHOD_NOT_ALLOWED', `method ${req.method} not allowed`);
      const base = this.context(req, socket);
      const match = this.o.router.match(base.path);
      if (!match) throw new WebError('NOT_FOUND', `no such path: ${base.path}`);
      if (!match.route.upgrade) throw new WebError('BAD_REQUEST', `${base.path} does not take a WebSocket upgrade`);
      await match.route.upgrade({ ...base, params: match.params, log: base.log.child({ route: match.route.name }), socket, head });
    } catch (err) {
      const e = this.asWebError(err);
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${e.status} ${nodeHttp.STATUS_CODES[e.status]}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${e.message}\n`);
      } else socket.destroy();
    }
  }

  private cut(stream: { destroy(): void }, err: unknown): void {
    this.log.error({ err }, 'web request failed while answering an error');
    stream.destroy();
  }

  private asWebError(err: unknown): WebError {
    if (isWebError(err)) return err;
    this.log.error({ err }, 'web route failed');
    return new WebError('UNAVAILABLE', 'internal error');
  }

  /** Answers a refused request, unless the route already started its response (then it is cut). */
  private fail(res: http.ServerResponse, err: unknown): void {
    const e = this.asWebError(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(e.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${e.message}\n`);
  }
}

interface ClosingStream {
  once(event: 'close', listener: () => void): unknown;
}

function closedSignal(stream: ClosingStream): AbortSignal {
  const abort = new AbortController();
  stream.once('close', () => abort.abort());
  return abort.signal;
}

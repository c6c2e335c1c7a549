/**
 * The node's HTTP endpoints: /healthz (liveness: the event loop answers and the node is not stuck past the end
 * of a drain it should have exited after), /readyz (readiness: started and not draining) and /metrics
 * (Prometheus text).
 */
import type * as http from 'node:http';
import { nodeHttp } from '@rtmp-cluster/core';
import type { AddressInfo } from 'node:net';
import { renderMetricsText, type MetricSample } from './MetricsText.js';

export interface HealthServerOptions {
  host: string;
  port: number;
  /** readiness, evaluated per request */
  ready: () => { ready: boolean; reason: string };
  /** liveness beyond answering at all, evaluated per request (default: live) */
  live?: () => { live: boolean; reason: string };
  metrics: () => MetricSample[];
  /**
   * The whole /metrics body (prom-client's registry.metrics()); when given, it replaces rendering
   * `metrics()` by hand.
   */
  exposition?: () => Promise<string>;
}

export class HealthServer {
  private readonly server: http.Server;

  constructor(private readonly opts: HealthServerOptions) {
    this.server = nodeHttp.createServer((req, res) => this.handle(req, res));
    // Probes are short requests; do not let idle keep-alive sockets hold shutdown up.
    this.server.keepAliveTimeout = 1000;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    return this.address()!;
  }

  address(): AddressInfo | null {
    const a = this.server.address();
    return a && typeof a === 'object' ? a : null;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    try {
      switch (path) {
        case '/healthz': {
          const l = this.opts.live?.() ?? { live: true, reason: 'ok' };
          res.writeHead(l.live ? 200 : 503, { 'content-type': 'text/plain' }).end(`${l.reason}\n`);
          return;
        }
        case '/readyz': {
          const r = this.opts.ready();
          res.writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(`${r.reason}\n`);
          return;
        }
        case '/metrics': {
          if (this.opts.exposition) {
            this.opts.exposition().then(
              (body) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body),
              (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`),
            );
            return;
          }
          const body = renderMetricsText(this.opts.metrics());
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
          return;
        }
        default:
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(err as Error).message}\n`);
    }
  }
}

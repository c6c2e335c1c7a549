/**
 * What the web listener hands a route: the request already checked (method, CORS, per-address limits) and
 * its client address resolved (X-Forwarded-For only from trusted proxies). Protocol packages (HTTP-FLV,
 * LL-HLS, the player page) register routes in the WebRouter; they never open a listener of their own.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@rtmp-cluster/core';

export interface WebRequestContext {
  readonly req: http.IncomingMessage;
  /** 'web-<n>': the id in logs and ListSessions */
  readonly connId: string;
  /** decoded path without the query, e.g. '/live/cam1.flv' */
  readonly path: string;
  readonly query: URLSearchParams;
  /** the viewer's address: the socket peer, or the X-Forwarded-For hop a trusted proxy vouches for */
  readonly clientIp: string;
  /** 'ip:port' of the socket peer (the proxy, when there is one) */
  readonly remoteAddress: string;
  /** the groups the route's pattern captured */
  readonly params: Readonly<Record<string, string>>;
  readonly log: Logger;
  /** aborted when the client's response or upgraded socket closes: ends waits held for this request */
  readonly closed: AbortSignal;
}

export interface WebHttpContext extends WebRequestContext {
  /** CORS headers are set already; the route writes status, body and its own headers */
  readonly res: http.ServerResponse;
}

export interface WebUpgradeContext extends WebRequestContext {
  readonly socket: Duplex;
  /** bytes the client sent after its upgrade request */
  readonly head: Buffer;
}

export interface WebRoute {
  /** a short name for logs and metrics: 'http-flv', 'hls-playlist', 'player-page' */
  readonly name: string;
  /**
   * Named groups become ctx.params, e.g. /^\/(?<app>.+)\/(?<name>[^/]+)\.flv$/. Matched against the decoded
   * path; the first route that matches wins.
   */
  readonly pattern: RegExp;
  /** GET (HEAD is answered by the same handler with the body dropped by node:http) */
  handle?(ctx: WebHttpContext): void | Promise<void>;
  /** a WebSocket upgrade of a matching path (ws-flv); absent = upgrades of this path get 400 */
  upgrade?(ctx: WebUpgradeContext): void | Promise<void>;
}

export interface RouteMatch {
  route: WebRoute;
  params: Record<string, string>;
}

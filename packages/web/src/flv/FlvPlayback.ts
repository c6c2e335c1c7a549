/**
 * GET /APP/NAME.flv: HTTP-FLV (a video/x-flv body that lasts as long as the connection), and the same path with a WebSocket upgrade:
 * WS-FLV (one binary message per FLV tag). Both go through the play gate (auth, the edge's relay pull, the
 * publisher wait) and then subscribe to the hub like an RTMP player.
 */
import type { PacketEncoding, Subscription } from '@rtmp-cluster/media';
import type { PlayGrant, WebProtocol } from '../PlayGate.js';
import { WebError } from '../WebError.js';
import type { WebHttpContext, WebRequestContext, WebRoute, WebUpgradeContext } from '../WebRoute.js';
import type { PlaybackContext } from '../PlaybackContext.js';
import { isWebSocketKey, webSocketAccept, WsCloseCode, wsFrame, WsOpcode, wsPayloadOffset } from '../websocket/WebSocketFrames.js';
import { WebSocketConnection } from '../websocket/WebSocketConnection.js';
import { FLV_ENCODING } from './FlvEncoding.js';
import { FlvViewer, type FlvTransport } from './FlvViewer.js';
import { WS_FLV_ENCODING } from './WsFlvEncoding.js';

export interface FlvPlaybackOptions {
  /** a viewer whose stream stopped is ended when no publisher is back within this (default 10 000 ms) */
  republishWaitMs?: number;
  /** transport backlog beyond which a viewer is cut (the hub's budget drops media long before), default 32 MiB */
  maxPendingBytes?: number;
}

/** /live/cam1.flv -> app 'live', name 'cam1' (the first segment is the app, as for every stream path) */
export const FLV_PATH = /^\/(?<app>[^/]+)\/(?<name>.+)\.flv$/;

export function flvPlaybackRoute(web: PlaybackContext, options: FlvPlaybackOptions = {}): WebRoute {
  const republishWaitMs = options.republishWaitMs ?? 10_000;
  const maxPending = options.maxPendingBytes ?? 32 * 1024 * 1024;

  /** Subscribes a viewer whose transport is ready; returns the function that ends everything it holds. */
  const play = (ctx: WebRequestContext, grant: PlayGrant, protocol: WebProtocol, encoding: PacketEncoding, transport: FlvTransport, cut: (why: string) => void): ((why: string) => void) => {
    let subscription: Subscription | undefined;
    let ended = false;
    let removeViewer = (): void => undefined;
    const end = (why: string): void => {
      if (ended) return;
      ended = true;
      subscription?.unsubscribe();
      viewer.dispose();
      grant.release();
      removeViewer();
      cut(why);
      ctx.log.info({ stream: grant.key, protocol, bytesOut: viewer.bytesOut }, `${protocol} viewer left: ${why}`);
    };
    const viewer = new FlvViewer(ctx.connId, encoding, transport, republishWaitMs, maxPending, end);
    try {
      subscription = web.hub.subscribe(grant.key, viewer);
    } catch (err) {
      end(`could not subscribe: ${(err as Error).message}`);
      return end;
    }
    removeViewer = web.viewers.add(
      { id: ctx.connId, protocol, key: grant.key, clientIp: ctx.clientIp, remoteAddress: ctx.remoteAddress, startedAt: Date.now() },
      () => ({ bytesOut: viewer.bytesOut, droppedFrames: subscription?.stats().droppedMessages ?? 0 }),
      (reason) => end(`kicked by operator: ${reason}`),
    );
    ctx.log.info({ stream: grant.key, protocol }, `${protocol} viewer started`);
    return end;
  };

  return {
    name: 'flv',
    pattern: FLV_PATH,

    async handle(ctx: WebHttpContext): Promise<void> {
      const { res } = ctx;
      const grant = await web.gate.open(ctx, ctx.params['app']!, ctx.params['name']!, ctx.closed);
      if (ctx.closed.aborted) {
        grant.release();
        return;
      }
      // The body runs until the connection closes (RFC 9112 6.3: no length, no chunked coding): a live stream
      // has no end to announce, HTTP/1.0 clients read it too, and each flush is the RTMP player's write, with
      // no chunk framing around the shared tags (bench:web measured chunk framing at +13% CPU per Gbit).
      // Removing the header is what stops Node from choosing chunked coding itself.
      res.removeHeader('transfer-encoding');
      res.writeHead(200, {
        'content-type': 'video/x-flv',
        'cache-control': 'no-cache, no-store',
        'x-content-type-options': 'nosniff',
        connection: 'close',
      });
      res.flushHeaders();
      const socket = res.socket!;
      // The viewer writes the body to the socket: node's response never writes body bytes, so it must not add
      // its own end: FIN ends it.
      const end = play(ctx, grant, 'http-flv', FLV_ENCODING, { socket, frame: (data) => data, tagOffset: () => 0 }, () => socket.end());
      res.on('close', () => end('viewer closed the connection'));
    },

    async upgrade(ctx: WebUpgradeContext): Promise<void> {
      const { req, socket } = ctx;
      const key = req.headers['sec-websocket-key'];
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || req.headers['sec-websocket-version'] !== '13' || !isWebSocketKey(key)) {
        throw new WebError('BAD_REQUEST', 'expected a WebSocket upgrade (version 13 with a valid Sec-WebSocket-Key)');
      }
      const grant = await web.gate.open(ctx, ctx.params['app']!, ctx.params['name']!, ctx.closed);
      if (ctx.closed.aborted || !socket.writable) {
        grant.release();
        return;
      }
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${webSocketAccept(key)}\r\n\r\n`);
      const ws = new WebSocketConnection(socket);
      const transport: FlvTransport = { socket, frame: (data) => wsFrame(WsOpcode.Binary, data), tagOffset: wsPayloadOffset };
      const end = play(ctx, grant, 'ws-flv', WS_FLV_ENCODING, transport, (why) => ws.close(why.startsWith('server') ? WsCloseCode.GoingAway : WsCloseCode.Normal, why));
      ws.onClose((why) => end(why));
    },
  };
}

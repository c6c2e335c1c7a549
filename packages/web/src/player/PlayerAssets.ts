/**
 * The player libraries the node serves itself (no CDN): mpegts.js for HTTP-FLV/WS-FLV and hls.js for LL-HLS,
 * from the npm packages installed with the node, read once and kept in memory.
 */
import { createRequire } from 'node:module';
import { nodeFs } from '@rtmp-cluster/core';
import { WebError } from '../WebError.js';
import type { WebHttpContext, WebRoute } from '../WebRoute.js';

export const PLAYER_ASSETS_PREFIX = '/play-assets/';

const SOURCES: Record<string, string> = {
  'mpegts.js': 'mpegts.js/dist/mpegts.js',
  'hls.js': 'hls.js/dist/hls.min.js',
};

export function playerAssetsRoute(): WebRoute {
  const require = createRequire(import.meta.url);
  const cache = new Map<string, Buffer>();
  const load = (file: string): Buffer => {
    let body = cache.get(file);
    if (body === undefined) {
      body = nodeFs.readFileSync(require.resolve(SOURCES[file]!));
      cache.set(file, body);
    }
    return body;
  };
  return {
    name: 'player-assets',
    pattern: /^\/play-assets\/(?<file>mpegts\.js|hls\.js)$/,
    handle(ctx: WebHttpContext): void {
      let body: Buffer;
      try {
        body = load(ctx.params['file']!);
      } catch (err) {
        ctx.log.error({ err }, 'player library missing from the installation');
        throw new WebError('NOT_FOUND', `${ctx.path} is not installed on this node`);
      }
      ctx.res
        .writeHead(200, {
          'content-type': 'text/javascript; charset=utf-8',
          'content-length': body.length,
          'cache-control': 'public, max-age=86400',
        })
        .end(body);
    },
  };
}

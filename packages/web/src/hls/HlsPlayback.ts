/**
 * GET /APP/NAME/index.m3u8 and the init section, parts and segments beside it: LL-HLS from the node's
 * HlsService. A session (the playlist's `session` query parameter, carried on every media URI) goes through
 * the play gate once per node, on its first request there (auth, the edge's relay pull, the publisher wait),
 * and counts as one 'hls' viewer until it has been idle for the service's session timeout. A load balancer
 * may send each request of a session to another edge: every edge admits it on its own and serves the same
 * bytes under the same URIs.
 */
import type { HlsService, HlsSessionInfo } from '@rtmp-cluster/hls';
import type { PlayGrant } from '../PlayGate.js';
import { WebError } from '../WebError.js';
import type { WebHttpContext, WebRoute } from '../WebRoute.js';
import type { PlaybackContext } from '../PlaybackContext.js';

/** /live/cam1/index.m3u8 -> app 'live', name 'cam1', file 'index.m3u8' */
export const HLS_PATH = /^\/(?<app>[^/]+)\/(?<name>.+)\/(?<file>index\.m3u8|init-[0-9a-f]{12}\.mp4|seg-[0-9]{1,15}\.m4s|part-[0-9]{1,15}\.[0-9]{1,4}\.m4s)$/;

/** how long a kicked session is refused (a player would start a new session after it anyway) */
const KICK_BAN_MS = 60_000;
const MAX_KICKED = 10_000;

interface AdmittedSession {
  grant: PlayGrant;
  removeViewer: () => void;
}

export interface HlsPlayback {
  readonly route: WebRoute;
  /** the service calls this when a session idles out: release its play grant and viewer entry */
  sessionEnded(session: HlsSessionInfo): void;
}

export function hlsPlayback(web: PlaybackContext, hls: () => HlsService): HlsPlayback {
  const admitted = new Map<string, AdmittedSession>();
  /** sessions being admitted right now (single-flight per session id) */
  const admitting = new Map<string, Promise<string>>();
  /** kicked sessions (KickSession) and when: refused on this node for KICK_BAN_MS */
  const kicked = new Map<string, number>();

  const kick = (session: string, reason: string): void => {
    const entry = admitted.get(session);
    if (entry === undefined) return;
    admitted.delete(session);
    const now = Date.now();
    for (const [id, at] of kicked) if (now - at > KICK_BAN_MS || kicked.size > MAX_KICKED) kicked.delete(id);
    kicked.set(session, now);
    entry.grant.release();
    entry.removeViewer();
    web.logger.info({ stream: entry.grant.key, session, reason }, 'hls viewer kicked');
  };

  /** The stream key the session was admitted for (the gate applies the one stream key rule). */
  const admit = async (ctx: WebHttpContext, session: string): Promise<string> => {
    const known = admitted.get(session);
    if (known !== undefined) return known.grant.key;
    let pending = admitting.get(session);
    if (pending === undefined) {
      pending = (async () => {
        const grant = await web.gate.open(ctx, ctx.params['app']!, ctx.params['name']!, ctx.closed);
        const raced = admitted.get(session);
        if (raced !== undefined) {
          grant.release();
          return raced.grant.key;
        }
        const removeViewer = web.viewers.add(
          { id: `hls-${session}`, protocol: 'hls', key: grant.key, clientIp: ctx.clientIp, remoteAddress: ctx.remoteAddress, startedAt: Date.now() },
          () => ({ bytesOut: hls().session(session)?.bytesOut ?? 0, droppedFrames: 0 }),
          (reason) => kick(session, reason),
        );
        admitted.set(session, { grant, removeViewer });
        ctx.log.info({ stream: grant.key, session }, 'hls viewer started');
        return grant.key;
      })().finally(() => admitting.delete(session));
      admitting.set(session, pending);
    }
    return pending;
  };

  const route: WebRoute = {
    name: 'hls',
    pattern: HLS_PATH,

    async handle(ctx: WebHttpContext): Promise<void> {
      const { res } = ctx;
      const session = ctx.query.get('session');
      const file = ctx.params['file']!;
      let key = '';
      // A playlist request without a session is redirected to one with a session before anything is held.
      if (session !== null) {
        if (!/^[A-Za-z0-9_-]{8,64}$/.test(session)) throw new WebError('BAD_REQUEST', 'malformed session id');
        const kickedAt = kicked.get(session);
        if (kickedAt !== undefined && Date.now() - kickedAt < KICK_BAN_MS) throw new WebError('UNAUTHORIZED', 'this HLS session was ended by an operator');
        key = await admit(ctx, session);
      } else if (file !== 'index.m3u8') {
        throw new WebError('BAD_REQUEST', 'HLS media requests carry the session of their playlist');
      }
      if (ctx.closed.aborted) return;
      const response = await hls().handle(key, file, ctx.query, { remoteAddress: ctx.clientIp, signal: ctx.closed });
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    },
  };

  return {
    route,
    sessionEnded(s: HlsSessionInfo): void {
      const entry = admitted.get(s.id);
      if (entry === undefined) return;
      admitted.delete(s.id);
      entry.grant.release();
      entry.removeViewer();
      web.logger.info({ stream: s.key, session: s.id, bytesOut: s.bytesOut, requests: s.requests }, 'hls viewer left');
    },
  };
}

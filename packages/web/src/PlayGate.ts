/**
 * The door every web viewer goes through, the same one RTMP players use: the node's StreamAccessPolicy
 * (play auth: signed `?token=` URLs, static keys, webhook; then the role: an edge starts or joins its single
 * relay pull here and waits for it) and then the same publisher wait as an RTMP play, all within one
 * playWaitMs from the request. An HTTP viewer's request becomes the PlayRequest an RTMP play would make.
 */
import { rtmpStreamKey, type StreamKey } from '@rtmp-cluster/core';
import type { StreamHub, StreamPublishedEvent } from '@rtmp-cluster/media';
import type { AccessDecision, PlayRequest, StreamAccessPolicy } from '@rtmp-cluster/server';
import { WebError } from './WebError.js';
import type { WebRequestContext } from './WebRoute.js';

/** The web protocols a viewer plays by (metrics labels, ListSessions kinds). */
export type WebProtocol = 'http-flv' | 'ws-flv' | 'hls';

export interface PlayGateOptions {
  hub: StreamHub;
  policy: StreamAccessPolicy;
  /** how long a viewer waits for the stream to come up (RTMPC_PLAY_WAIT_MS) */
  playWaitMs: number;
}

/** A viewer let in. release() tells the policy the play ended (idempotent). */
export interface PlayGrant {
  readonly key: string;
  readonly request: PlayRequest;
  release(): void;
}

export class PlayGate {
  constructor(private readonly o: PlayGateOptions) {
    // Every viewer waiting for a publisher listens for it; their number is bounded by the web limits.
    o.hub.setMaxListeners(0);
  }

  get hub(): StreamHub {
    return this.o.hub;
  }

  /**
   * Authorizes and waits until `app/name` is live on this node. Throws WebError (403 refused, 404 not live
   * within playWaitMs, 503 draining / limits) after releasing whatever the policy acquired. `abort` ends the
   * wait early (the viewer went away).
   */
  async open(ctx: WebRequestContext, app: string, name: string, abort?: AbortSignal): Promise<PlayGrant> {
    const started = Date.now();
    // The core rule, as for an RTMP play: the policy sees app = the first path segment, whatever the route split.
    let stream: StreamKey;
    try {
      stream = rtmpStreamKey(app, name);
    } catch (err) {
      throw new WebError('BAD_REQUEST', (err as Error).message);
    }
    const key = stream.key;
    const query = Object.fromEntries(ctx.query);
    const request: PlayRequest = {
      connId: ctx.connId,
      remoteAddress: ctx.remoteAddress,
      app: stream.app,
      name: stream.name,
      key,
      query,
      nameQuery: query,
      appQuery: {},
      clientIp: ctx.clientIp,
      secure: false,
      tcUrl: undefined,
      connectObject: {},
      start: -1,
    };
    const policy = this.o.policy;
    let decision: AccessDecision;
    try {
      decision = await policy.onPlayRequest(request);
    } catch (err) {
      decision = { allow: false, statusCode: 'NetStream.Play.Failed', description: `Play check failed: ${(err as Error).message}` };
    }
    if (!decision.allow) throw refusal(decision.statusCode, decision.description);
    let released = false;
    const grant: PlayGrant = {
      key,
      request,
      release: () => {
        if (released) return;
        released = true;
        try {
          policy.onPlayEnded?.(request);
        } catch (err) {
          ctx.log.error({ err }, 'stream access policy callback threw');
        }
      },
    };
    const remaining = this.o.playWaitMs - (Date.now() - started);
    if (!(await this.waitLive(key, remaining, abort))) {
      grant.release();
      throw new WebError('STREAM_NOT_FOUND', `No publisher for ${key} within ${this.o.playWaitMs} ms`);
    }
    return grant;
  }

  /** true once `key` has a publisher on this node, false after `ms` or an abort. */
  waitLive(key: string, ms: number, abort?: AbortSignal): Promise<boolean> {
    const hub = this.o.hub;
    if (hub.isLive(key)) return Promise.resolve(true);
    if (ms <= 0 || abort?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (live: boolean): void => {
        clearTimeout(timer);
        hub.off('streamPublished', onPublished);
        abort?.removeEventListener('abort', onAbort);
        resolve(live);
      };
      const onPublished = (e: StreamPublishedEvent): void => {
        if (e.key === key) done(true);
      };
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), ms);
      hub.on('streamPublished', onPublished);
      abort?.addEventListener('abort', onAbort);
    });
  }
}

/** The policy's RTMP status code as an HTTP refusal. */
function refusal(statusCode: string | undefined, description: string): WebError {
  if (statusCode?.endsWith('StreamNotFound')) return new WebError('STREAM_NOT_FOUND', description);
  if (statusCode?.endsWith('Unauthorized') || statusCode?.endsWith('BadName')) return new WebError('UNAUTHORIZED', description);
  return new WebError('UNAVAILABLE', description);
}

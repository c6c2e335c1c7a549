import type { MediaWindow } from './MediaWindow.js';
import { ADVANCE_PART_LIMIT, decideReload, parseReloadRequest, type ReloadRequest } from './playlist/BlockingReload.js';
import { JOIN_HOLD_PARTS, openSegmentEndsSoon } from './playlist/JoinPoint.js';
import { renderMediaPlaylist, type PlaylistSettings } from './playlist/MediaPlaylist.js';

export interface HlsResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** What the endpoint serves for one stream. */
export interface HlsStreamView {
  readonly window: MediaWindow;
  readonly playlist: PlaylistSettings;
}

/** One request's context. */
export interface HlsRequestOptions {
  /** appended to every media URI of a playlist (the session), without '?' */
  uriQuery?: string;
  /** the client went away */
  signal?: AbortSignal;
  /** the first playlist request of a viewer: answered at a point a player can join safely (playlist/JoinPoint.ts) */
  joining?: boolean;
}

export interface HlsEndpointOptions {
  /** max-age of complete segments and parts, seconds (default: the window's length, at least 10) */
  mediaMaxAgeSeconds?: number;
  /** how long a blocking request or a hinted part is held, ms (default: three target durations, as the spec suggests) */
  holdMs?: number;
}

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const MEDIA_TYPE = 'video/mp4';
const SEGMENT_NAME = /^seg-([0-9]{1,15})\.m4s$/;
const PART_NAME = /^part-([0-9]{1,15})\.([0-9]{1,4})\.m4s$/;
const INIT_NAME = /^init-[0-9a-f]{12}\.mp4$/;

function text(status: number, message: string): HlsResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }, body: `${message}\n` };
}

/**
 * Answers the LL-HLS requests of one stream from its in-memory window: the playlist (blocking
 * reloads and delta updates), the init section, parts and segments. Requests for the hinted next
 * part or the segment being written are held until it exists, like a blocking reload.
 */
export class HlsEndpoint {
  constructor(private readonly options: HlsEndpointOptions = {}) {}

  async respond(view: HlsStreamView, file: string, query: URLSearchParams, request: HlsRequestOptions = {}): Promise<HlsResponse> {
    const { signal } = request;
    if (file === 'index.m3u8') return this.playlist(view, query, request);
    if (INIT_NAME.test(file)) {
      // A node that started muxing the stream a moment ago (a viewer's other requests went to another edge) has
      // no init section yet: the request waits for its first one, as a hinted part would.
      const known = await this.waitFor(view, signal, () => (view.window.init(file) !== undefined ? 'ready' : view.window.hasInit ? 'unknown' : 'wait'));
      const init = view.window.init(file);
      if (init === undefined) return known === 'aborted' ? text(499, 'client went away') : text(404, 'unknown init section');
      // named by its content: it never changes
      return { status: 200, headers: { 'content-type': MEDIA_TYPE, 'cache-control': 'public, max-age=31536000, immutable' }, body: init.bytes };
    }
    let m = SEGMENT_NAME.exec(file);
    if (m !== null) return this.segment(view, Number(m[1]), signal);
    m = PART_NAME.exec(file);
    if (m !== null) return this.part(view, Number(m[1]), Number(m[2]), signal);
    return text(404, 'no such HLS resource');
  }

  private holdMs(view: HlsStreamView): number {
    return this.options.holdMs ?? view.playlist.targetDurationSeconds * 3000;
  }

  private maxAge(view: HlsStreamView): number {
    return this.options.mediaMaxAgeSeconds ?? Math.max(10, Math.round(view.window.maxSegments * view.playlist.targetDurationSeconds));
  }

  private media(view: HlsStreamView, body: Buffer): HlsResponse {
    return { status: 200, headers: { 'content-type': MEDIA_TYPE, 'cache-control': `public, max-age=${this.maxAge(view)}` }, body };
  }

  private async playlist(view: HlsStreamView, query: URLSearchParams, request: HlsRequestOptions): Promise<HlsResponse> {
    const { uriQuery, signal } = request;
    const req = parseReloadRequest(query);
    if (typeof req === 'string') return text(400, req);
    const skipText = query.get('_HLS_skip');
    if (skipText !== null && skipText !== 'YES' && skipText !== 'v2') return text(400, `_HLS_skip must be YES or v2`);
    const ready = await this.waitFor(view, signal, () => {
      if (view.window.list.length === 0 || !view.window.list.some((s) => s.complete)) return 'wait';
      if (req === undefined) return 'ready';
      return decision(view.window, req);
    });
    if (ready !== 'ready') return ready === 'aborted' ? text(499, 'client went away') : typeof ready === 'object' ? text(400, ready.reason) : text(503, 'the requested part did not appear in time');
    if (req === undefined && request.joining === true) {
      const joined = await this.waitFor(view, signal, () => (openSegmentEndsSoon(view.window, view.playlist.partTargetSeconds) ? 'wait' : 'ready'), JOIN_HOLD_PARTS * view.playlist.partTargetSeconds * 1000);
      if (joined === 'aborted') return text(499, 'client went away');
    }
    const body = renderMediaPlaylist(view.window, view.playlist, { skip: skipText !== null, ...(uriQuery !== undefined ? { uriQuery } : {}) });
    return { status: 200, headers: { 'content-type': PLAYLIST_TYPE, 'cache-control': 'no-cache' }, body };
  }

  private async segment(view: HlsStreamView, msn: number, signal?: AbortSignal): Promise<HlsResponse> {
    const w = view.window;
    const result = await this.waitFor(view, signal, () => {
      const seg = w.segment(msn);
      if (seg !== undefined) return seg.complete ? 'ready' : 'wait';
      const last = w.list[w.list.length - 1];
      // the next segment is about to start: hold it like the segment being written
      return last !== undefined && msn === last.msn + 1 && !w.isEnded ? 'wait' : 'gone';
    });
    if (result !== 'ready') return typeof result === 'string' && result === 'aborted' ? text(499, 'client went away') : text(404, `segment ${msn} is not available`);
    return this.media(view, w.segmentBytes(w.segment(msn)!));
  }

  private async part(view: HlsStreamView, msn: number, index: number, signal?: AbortSignal): Promise<HlsResponse> {
    const w = view.window;
    const result = await this.waitFor(view, signal, () => {
      const seg = w.segment(msn);
      const last = w.list[w.list.length - 1];
      if (seg !== undefined) {
        if (seg.parts.length > index) return 'ready';
        // the next parts of the open segment are worth waiting for (another node may list them a moment earlier)
        return !seg.complete && index < seg.parts.length + ADVANCE_PART_LIMIT ? 'wait' : 'gone';
      }
      // the first parts of the next segment, likewise
      return last !== undefined && msn === last.msn + 1 && index < ADVANCE_PART_LIMIT && !w.isEnded ? 'wait' : 'gone';
    });
    if (result !== 'ready') return result === 'aborted' ? text(499, 'client went away') : text(404, `part ${msn}.${index} is not available`);
    return this.media(view, w.segment(msn)!.parts[index]!.bytes);
  }

  /** Resolves when check() says ready/gone/bad-request, the hold time passes ('timeout') or the client leaves ('aborted'). */
  private waitFor<T extends string | object>(
    view: HlsStreamView,
    signal: AbortSignal | undefined,
    check: () => 'ready' | 'wait' | T,
    timeoutMs = this.holdMs(view),
  ): Promise<'ready' | 'timeout' | 'aborted' | T> {
    const first = check();
    if (first !== 'wait') return Promise.resolve(first);
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const finish = (r: 'ready' | 'timeout' | 'aborted' | T): void => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = (): void => finish('aborted');
      const off = view.window.onChange(() => {
        const r = check();
        if (r !== 'wait') finish(r);
      });
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function decision(window: MediaWindow, req: ReloadRequest): 'ready' | 'wait' | { reason: string } {
  const d = decideReload(window, req);
  return d.kind === 'bad-request' ? { reason: d.reason } : d.kind;
}

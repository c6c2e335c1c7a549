import { randomBytes } from 'node:crypto';
import type { Logger } from '@rtmp-cluster/core';
import type { StreamHub } from '@rtmp-cluster/media';
import { HlsEndpoint, type HlsResponse, type HlsStreamView } from '../HlsEndpoint.js';
import { MediaWindow } from '../MediaWindow.js';
import type { PlaylistSettings } from '../playlist/MediaPlaylist.js';
import { RtmpIngest } from '../RtmpIngest.js';
import { Segmenter } from '../Segmenter.js';
import { resolveSegmentation, targetDurationSeconds, type ResolvedSegmentation, type SegmentationOptions } from '../Timeline.js';
import { HubTap, type TapHandlers, type TappedPacket } from './HubTap.js';

/** Where a publish sits in the cluster: the registry's epoch and claim time (see Timeline.ts). */
export interface StreamEpoch {
  epoch: number;
  startedAtMs: number;
}

export interface HlsServiceOptions {
  hub: StreamHub;
  segmentation?: SegmentationOptions;
  /** complete segments kept per stream, default 24 */
  windowSegments?: number;
  /** PART-HOLD-BACK in parts (2 = lower latency, 3 = the spec's recommendation and the default) */
  partHoldBackParts?: number;
  /** advertise CAN-SKIP-UNTIL and answer _HLS_skip with delta updates, default true */
  deltaUpdates?: boolean;
  /**
   * The registry's view of the current publish of `key` (edges and origins pass a registry lookup,
   * so every node numbers alike). Default: the hub's own publish time, epoch 0 (one node).
   */
  epochOf?: (key: string) => Promise<StreamEpoch | null>;
  /** a stream nobody requested for this long is released (its hub subscription too), default 30 000 ms */
  streamIdleMs?: number;
  /** a session with no request for this long has ended, default 20 000 ms */
  sessionIdleMs?: number;
  /** a session ended (idle): the web layer releases what it holds for the viewer */
  onSessionEnded?: (session: HlsSessionInfo) => void;
  /** at most this many sessions per node; new ones beyond get 503, default 100 000 */
  maxSessions?: number;
  /** at most this many streams muxed at once, default 1000 */
  maxStreams?: number;
  /** messages buffered per stream while its epoch is looked up, default 4096 */
  maxPendingMessages?: number;
  holdMs?: number;
  logger?: Logger;
  now?: () => number;
}

export interface HlsSessionInfo {
  id: string;
  key: string;
  remoteAddress: string;
  startedAt: number;
  lastSeen: number;
  bytesOut: number;
  requests: number;
}

export interface HlsServiceStats {
  streams: number;
  viewers: number;
  bytesOut: number;
  requests: number;
  /** bytes of parts held in memory over all windows */
  bytesHeld: number;
  /** tags that could not be muxed (malformed, unsupported codec) */
  skippedTags: number;
}

/** Context of one HTTP request, filled by the web listener. */
export interface HlsRequestContext {
  remoteAddress: string;
  signal?: AbortSignal;
}

const SESSION_PARAM = 'session';
/** the blocking-reload and delta-update parameters, which media URIs must not inherit */
const RELOAD_PARAMS = ['_HLS_msn', '_HLS_part', '_HLS_skip'];

/** The playlist's query as media URIs carry it: the session (and a play token) without the reload parameters. */
function mediaQuery(query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  for (const p of RELOAD_PARAMS) q.delete(p);
  return q.toString();
}
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

class LiveHls implements HlsStreamView {
  readonly window: MediaWindow;
  readonly segmenter: Segmenter;
  readonly ingest: RtmpIngest;
  readonly tap: HubTap;
  lastRequestAt: number;
  /** packets held while the epoch of a new publish is looked up; null when flowing */
  pending: TappedPacket[] | null = null;
  generation = 0;
  /** the stream timeline of the last frame seen (a change re-anchors: see onPacket) */
  timeline: number | undefined;

  constructor(
    readonly key: string,
    grid: ResolvedSegmentation,
    windowSegments: number,
    readonly playlist: PlaylistSettings,
    now: number,
    handlers: TapHandlers,
  ) {
    this.window = new MediaWindow({ maxSegments: windowSegments });
    this.segmenter = new Segmenter(grid, this.window);
    this.ingest = new RtmpIngest(this.segmenter);
    this.tap = new HubTap(`hls:${key}`, handlers);
    this.lastRequestAt = now;
  }
}

/**
 * LL-HLS for every stream of one node: muxed once per stream from a hub subscription, served from
 * memory to every viewer, released when nobody asks for it. Viewers are sessions: the id is the
 * `session` query parameter of the playlist URL (a playlist request without one is redirected to a
 * URL with a fresh one; hls.js reloads the redirected URL) and the playlist's query (session, play
 * token) is carried on every media URI, so each request names its viewer on whichever node it lands.
 */
export class HlsService {
  readonly grid: ResolvedSegmentation;
  readonly playlist: PlaylistSettings;
  private readonly o: HlsServiceOptions;
  private readonly endpoint: HlsEndpoint;
  private readonly streams = new Map<string, LiveHls>();
  private readonly opening = new Map<string, Promise<LiveHls>>();
  private readonly sessions = new Map<string, HlsSessionInfo>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private bytesOut = 0;
  private requests = 0;
  private skippedBefore = 0;
  private closed = false;

  constructor(options: HlsServiceOptions) {
    this.o = options;
    this.grid = resolveSegmentation(options.segmentation);
    this.playlist = {
      targetDurationSeconds: targetDurationSeconds(this.grid),
      partTargetSeconds: this.grid.partMs / 1000,
      ...(options.partHoldBackParts !== undefined ? { partHoldBackParts: options.partHoldBackParts } : {}),
      ...(options.deltaUpdates !== undefined ? { deltaUpdates: options.deltaUpdates } : {}),
    };
    this.endpoint = new HlsEndpoint(options.holdMs !== undefined ? { holdMs: options.holdMs } : {});
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), 2000);
    this.sweeper.unref();
  }

  /**
   * Answers GET /APP/NAME/<file> for stream `key` (already admitted by the caller: auth, pull).
   * `query` is the request's query string.
   */
  async handle(key: string, file: string, query: URLSearchParams, ctx: HlsRequestContext): Promise<HlsResponse> {
    if (this.closed) return { status: 503, headers: { 'cache-control': 'no-cache' }, body: 'shutting down\n' };
    this.requests++;
    let session = query.get(SESSION_PARAM);
    if (session !== null && !SESSION_ID.test(session)) return { status: 400, headers: { 'cache-control': 'no-cache' }, body: 'malformed session id\n' };
    if (session === null && file === 'index.m3u8') {
      if (this.sessions.size >= (this.o.maxSessions ?? 100_000)) return { status: 503, headers: { 'cache-control': 'no-cache', 'retry-after': '5' }, body: 'too many HLS sessions\n' };
      const q = new URLSearchParams(query);
      q.set(SESSION_PARAM, randomBytes(12).toString('base64url'));
      return { status: 302, headers: { location: `index.m3u8?${q.toString()}`, 'cache-control': 'no-cache' }, body: '' };
    }
    let stream: LiveHls;
    try {
      stream = await this.stream(key);
    } catch (err) {
      return { status: 503, headers: { 'cache-control': 'no-cache', 'retry-after': '2' }, body: `${(err as Error).message}\n` };
    }
    stream.lastRequestAt = this.now();
    const startedAt = this.now();
    // a session this node has not served yet, asking for its first playlist: a viewer joining (playlist/JoinPoint.ts)
    const joining = session !== null && file === 'index.m3u8' && !this.sessions.has(session);
    const response = await this.endpoint.respond(stream, file, query, { ...(session === null ? {} : { uriQuery: mediaQuery(query) }), signal: ctx.signal, joining });
    const heldMs = this.now() - startedAt;
    // a client that went away (499) is routine: hls.js cancels blocking reloads it no longer needs
    if ((response.status >= 400 && response.status !== 499) || heldMs > 1000) {
      this.o.logger?.debug({ stream: key, file, query: query.toString(), status: response.status, heldMs }, response.status >= 400 ? 'HLS request refused' : 'HLS request held');
    }
    const size = typeof response.body === 'string' ? Buffer.byteLength(response.body) : response.body.length;
    this.bytesOut += size;
    if (session !== null) this.touchSession(session, key, ctx.remoteAddress, size);
    return response;
  }

  /** Start muxing `key` now (before the first request), so its first segments are complete sooner. */
  async warm(key: string): Promise<void> {
    const stream = await this.stream(key);
    stream.lastRequestAt = this.now();
  }

  /** HLS viewers now (sessions with a recent request), for ListSessions. */
  listSessions(): HlsSessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ ...s }));
  }

  /** One session's counters (live view, do not modify). */
  session(id: string): Readonly<HlsSessionInfo> | undefined {
    return this.sessions.get(id);
  }

  stats(): HlsServiceStats {
    let bytesHeld = 0;
    let skipped = this.skippedBefore;
    for (const s of this.streams.values()) {
      bytesHeld += s.window.bytesHeld;
      skipped += s.ingest.skipped;
    }
    return { streams: this.streams.size, viewers: this.sessions.size, bytesOut: this.bytesOut, requests: this.requests, bytesHeld, skippedTags: skipped };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const s of this.streams.values()) s.tap.unsubscribe();
    this.streams.clear();
    for (const s of this.sessions.values()) this.o.onSessionEnded?.(s);
    this.sessions.clear();
  }

  private touchSession(id: string, key: string, remoteAddress: string, bytes: number): void {
    let s = this.sessions.get(id);
    const now = this.now();
    if (s === undefined) {
      if (this.sessions.size >= (this.o.maxSessions ?? 100_000)) return;
      s = { id, key, remoteAddress, startedAt: now, lastSeen: now, bytesOut: 0, requests: 0 };
      this.sessions.set(id, s);
    }
    s.lastSeen = now;
    s.bytesOut += bytes;
    s.requests++;
  }

  private stream(key: string): Promise<LiveHls> {
    const live = this.streams.get(key);
    if (live !== undefined) return Promise.resolve(live);
    let opening = this.opening.get(key);
    if (opening === undefined) {
      opening = this.open(key).finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return opening;
  }

  private async open(key: string): Promise<LiveHls> {
    if (this.streams.size >= (this.o.maxStreams ?? 1000)) throw new Error('too many HLS streams on this node');
    const stream: LiveHls = new LiveHls(key, this.grid, this.o.windowSegments ?? 24, this.playlist, this.now(), {
      packet: (p) => this.onPacket(stream, p),
      started: () => {
        this.beginPublish(stream).catch((err: unknown) => {
          this.o.logger?.warn({ stream: key, err: (err as Error).message }, 'HLS: starting the publish failed');
        });
      },
      stopped: () => {
        stream.generation++;
        stream.pending = null;
        stream.ingest.end();
      },
    });
    // Hold what the subscription delivers at once (config + GOP) until the epoch is known.
    stream.pending = [];
    this.streams.set(key, stream);
    const sub = stream.tap.subscribe(this.o.hub, key);
    if (sub.live) await this.beginPublish(stream);
    else stream.pending = null;
    this.o.logger?.info({ stream: key }, 'HLS muxing started');
    return stream;
  }

  /** A publish starts (or was live when the tap joined): anchor its timeline, then let the held messages through. */
  private async beginPublish(stream: LiveHls): Promise<void> {
    const generation = ++stream.generation;
    stream.pending ??= [];
    let epoch: StreamEpoch | null = null;
    try {
      epoch = (await this.o.epochOf?.(stream.key)) ?? null;
    } catch (err) {
      this.o.logger?.warn({ stream: stream.key, err: (err as Error).message }, 'stream epoch lookup failed: numbering from the local publish time');
    }
    if (generation !== stream.generation || this.streams.get(stream.key) !== stream) return;
    epoch ??= { epoch: 0, startedAtMs: this.o.hub.streamStats(stream.key)?.publishedAt ?? this.now() };
    stream.segmenter.setAnchor({ epoch: epoch.epoch, startedAtMs: epoch.startedAtMs, originTs: 0 });
    const held = stream.pending ?? [];
    stream.pending = null;
    for (const p of held) stream.ingest.push(p.kind, p.timestamp, p.payload);
  }

  private onPacket(stream: LiveHls, p: TappedPacket): void {
    if (p.kind !== 'data' && !p.config) {
      // A frame of a new stream timeline without a new publish here: an edge's relay moved to another upstream
      // (origin failover, republish). The registry has the new epoch; every node anchors to it alike.
      if (stream.timeline !== undefined && p.timeline !== stream.timeline && stream.pending === null) this.restartTimeline(stream);
      stream.timeline = p.timeline;
    }
    const pending = stream.pending;
    if (pending === null) stream.ingest.push(p.kind, p.timestamp, p.payload);
    else if (pending.length < (this.o.maxPendingMessages ?? 4096)) pending.push(p);
  }

  private restartTimeline(stream: LiveHls): void {
    this.o.logger?.info({ stream: stream.key }, 'HLS: the stream timeline restarted (new upstream): re-anchoring');
    this.beginPublish(stream).catch((err: unknown) => {
      this.o.logger?.warn({ stream: stream.key, err: (err as Error).message }, 'HLS: re-anchoring failed');
    });
  }

  private sweep(): void {
    const now = this.now();
    const idle = this.o.streamIdleMs ?? 30_000;
    for (const [key, s] of this.streams) {
      if (now - s.lastRequestAt > idle) {
        this.skippedBefore += s.ingest.skipped;
        s.tap.unsubscribe();
        this.streams.delete(key);
        this.o.logger?.info({ stream: key }, 'HLS muxing stopped: no requests');
      }
    }
    const sessionCutoff = now - (this.o.sessionIdleMs ?? 20_000);
    for (const [id, s] of this.sessions) {
      if (s.lastSeen >= sessionCutoff) continue;
      this.sessions.delete(id);
      this.o.onSessionEnded?.(s);
    }
  }
}

import type { PacketEncoding, StreamStartedInfo, StreamStopReason, SubscriberSink, SubscriberStats } from './HubTypes.js';
import type { Flushable } from './MergedFlushScheduler.js';
import { MediaKind, type MediaPacket } from './MediaPacket.js';
import type { Subscription } from './HubTypes.js';

/** numbers per written batch in Subscriber.written */
const WRITTEN_STRIDE = 4;

/** What a subscriber needs from the stream it plays. */
export interface SubscriberHost {
  readonly key: string;
  readonly live: boolean;
  /** the current publish has sent video (else audio frames are sync points) */
  readonly hasVideo: boolean;
  /** metadata and sequence headers of the current publish, in send order */
  configPackets(): MediaPacket[];
  markDirty(sub: Subscriber): void;
  removeSubscriber(sub: Subscriber): void;
  failSubscriber(sub: Subscriber, error: unknown): void;
  lagging(sub: Subscriber, lag: SubscriberLag): void;
  recovered(sub: Subscriber, droppedMessages: number, startedAt: number): void;
  now(): number;
}

export interface ResolvedSubscriberOptions {
  latencyBudgetMs: number;
  maxBacklogBytes: number;
}

/** Why a subscriber started dropping: how far behind live it was, and its backlog. */
export interface SubscriberLag {
  lagMs: number;
  budgetMs: number;
  backlogBytes: number;
  maxBacklogBytes: number;
}

/**
 * One sink playing one stream: its merged-write queue and its delay compensation.
 *
 * Lag is measured in media time, not bytes: how far the oldest byte the transport has not taken yet is behind
 * the stream's head, less the media this subscriber was handed faster than real time (a GOP burst at join,
 * or an origin's GOP arriving in one burst on a relay-fed stream). A reader at normal speed keeps that
 * head start as a constant delay and is never counted as lagging; a reader slower than real time falls
 * further behind with every second. Above latencyBudgetMs (or above maxBacklogBytes, the memory bound)
 * the subscriber drops everything until a sync point arrives while it is back under half of both, so
 * nobody else waits and memory per subscriber stays bounded.
 */
export class Subscriber implements Subscription, Flushable {
  flushPending = false;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private closed = false;
  /** skip video until a keyframe (fresh publish, or joined with no usable GOP) */
  private waitKeyframe = true;
  private dropping = false;
  /** metadata or a sequence header was dropped: resend the current ones at resume */
  private configStale = false;
  /** bytes of the join burst tolerated above maxBacklogBytes until the backlog first drains */
  private joinAllowance = 0;
  /** highest media timestamp this subscriber has been offered, -1 before the first */
  private headTs = -1;
  /** wall clock when headTs last advanced */
  private headWall = 0;
  /** media handed over faster than real time (ms), a delay the reader may keep without lagging */
  private headStartMs = 0;
  /** timestamps of the first and last media packets in the queue, -1 when it holds none */
  private queueTs = -1;
  private queueLastTs = -1;
  /**
   * Written batches the transport may still hold, flat (WRITTEN_STRIDE numbers each): start and end offset
   * in bytesOut, first and last media timestamp. Within a batch the timeline is interpolated by bytes.
   */
  private written: number[] = [];
  private writtenHead = 0;
  private episodeStartedAt = 0;
  private episodeDropped = 0;
  private sawPublisher = false;
  private bytesOut = 0;
  private messagesOut = 0;
  private droppedMessages = 0;
  private dropEpisodes = 0;

  constructor(
    private readonly host: SubscriberHost,
    readonly sink: SubscriberSink,
    readonly encoding: PacketEncoding,
    private readonly options: ResolvedSubscriberOptions,
  ) {}

  get key(): string {
    return this.host.key;
  }

  get live(): boolean {
    return !this.closed && this.host.live;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  unsubscribe(): void {
    if (this.closed) return;
    this.host.removeSubscriber(this);
  }

  stats(): SubscriberStats {
    return {
      id: this.sink.id,
      key: this.host.key,
      bytesOut: this.bytesOut,
      messagesOut: this.messagesOut,
      droppedMessages: this.droppedMessages,
      dropEpisodes: this.dropEpisodes,
      dropping: this.dropping,
      queuedBytes: this.queuedBytes,
    };
  }

  /** Join a live stream: config and the cached GOP go out at once, in one writev. */
  joinLive(config: readonly MediaPacket[], gop: readonly MediaPacket[], now: number): void {
    this.sawPublisher = true;
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (const p of config) bytes += this.pushBuffer(buffers, p);
    for (const p of gop) bytes += this.pushBuffer(buffers, p);
    // A GOP starts with a keyframe, so the player can decode from its first frame.
    this.waitKeyframe = gop.length === 0;
    this.joinAllowance = bytes;
    if (gop.length > 0) {
      this.advanceHead(gop[0]!.extendedTimestamp, now);
      this.queueTs = gop[0]!.extendedTimestamp;
      this.queueLastTs = gop[gop.length - 1]!.extendedTimestamp;
      // The whole GOP is handed over at once: its span is a head start, not lag.
      this.advanceHead(gop[gop.length - 1]!.extendedTimestamp, now);
    }
    if (buffers.length > 0) this.write(buffers, bytes);
  }

  /**
   * Decide whether a packet goes to this subscriber. Called once per packet per
   * subscriber on the hot path (`now` read once per packet by the stream);
   * returns false for dropped and skipped packets.
   */
  admit(p: MediaPacket, now: number): boolean {
    const timed = p.kind !== MediaKind.Data && !p.isConfig;
    if (timed) this.advanceHead(p.extendedTimestamp, now);
    const pending = this.sink.pendingBytes;
    const backlog = pending + this.queuedBytes;
    let lagMs = 0;
    if (backlog > 0) lagMs = this.lagMs(pending);
    else this.headStartMs = 0; // caught up: a head start used once does not come back
    const o = this.options;
    if (this.dropping) {
      if (p.isConfig) {
        this.configStale = true;
        return false;
      }
      const syncPoint = p.isKeyframe || (p.kind === MediaKind.Audio && !this.host.hasVideo);
      if (syncPoint && lagMs <= o.latencyBudgetMs / 2 && backlog <= o.maxBacklogBytes / 2) {
        this.endEpisode();
        if (timed) this.queued(p.extendedTimestamp);
        return true;
      }
      this.droppedMessages++;
      this.episodeDropped++;
      return false;
    }
    const maxBytes = o.maxBacklogBytes + this.joinAllowance;
    // An empty backlog always admits, so one message larger than the byte bound is not dropped forever.
    if (backlog > 0 && (lagMs > o.latencyBudgetMs || backlog + p.payload.length > maxBytes)) {
      this.startEpisode({ lagMs, budgetMs: o.latencyBudgetMs, backlogBytes: backlog, maxBacklogBytes: maxBytes });
      if (p.isConfig) this.configStale = true;
      else {
        this.droppedMessages++;
        this.episodeDropped++;
      }
      return false;
    }
    if (this.joinAllowance > 0 && backlog <= o.maxBacklogBytes) this.joinAllowance = 0;
    if (this.waitKeyframe && p.kind === MediaKind.Video && !p.isConfig) {
      if (!p.isKeyframe) return false;
      this.waitKeyframe = false;
    }
    if (timed) this.queued(p.extendedTimestamp);
    return true;
  }

  private queued(ts: number): void {
    if (this.queueTs < 0) this.queueTs = ts;
    if (ts > this.queueLastTs) this.queueLastTs = ts;
  }

  /**
   * The stream's head moved to `ts` at wall time `now`: the head start grows by the media that arrived
   * faster than real time and shrinks when media comes slower (a stall, a pause between publishes).
   */
  private advanceHead(ts: number, now: number): void {
    if (this.headTs < 0) {
      this.headTs = ts;
      this.headWall = now;
      return;
    }
    const advance = ts - this.headTs;
    if (advance <= 0) return;
    const headStart = this.headStartMs + advance - (now - this.headWall);
    this.headStartMs = headStart > 0 ? headStart : 0;
    this.headTs = ts;
    this.headWall = now;
  }

  /** Media time the reader is behind live beyond its head start; `pending` is the transport backlog. */
  private lagMs(pending: number): number {
    const acked = this.bytesOut - pending;
    const w = this.written;
    let i = this.writtenHead;
    while (i < w.length && w[i + 1]! <= acked) i += WRITTEN_STRIDE;
    let oldest: number;
    if (i < w.length) {
      this.writtenHead = i;
      const start = w[i]!;
      const first = w[i + 2]!;
      const taken = acked > start ? (acked - start) / (w[i + 1]! - start) : 0;
      oldest = first + (w[i + 3]! - first) * taken;
    } else {
      this.writtenHead = 0;
      w.length = 0;
      oldest = this.queueTs;
    }
    if (oldest < 0) return 0;
    const delay = this.headTs - oldest;
    // A reader that caught up has used its head start: it does not come back.
    if (delay < this.headStartMs) this.headStartMs = delay > 0 ? delay : 0;
    return delay - this.headStartMs;
  }

  enqueue(buf: Buffer): void {
    this.queue.push(buf);
    this.queuedBytes += buf.length;
    if (!this.flushPending) this.host.markDirty(this);
  }

  flushQueue(): void {
    if (this.closed || this.queue.length === 0) return;
    const buffers = this.queue;
    const bytes = this.queuedBytes;
    this.queue = [];
    this.queuedBytes = 0;
    this.write(buffers, bytes);
  }

  streamStarted(info: Omit<StreamStartedInfo, 'republish'>): void {
    this.flushQueue();
    this.configStale = false;
    if (this.dropping) this.endEpisode();
    this.waitKeyframe = true;
    this.joinAllowance = 0;
    this.queueTs = -1;
    this.queueLastTs = -1;
    const republish = this.sawPublisher;
    this.sawPublisher = true;
    if (this.closed) return;
    try {
      this.sink.onStreamStarted({ ...info, republish });
    } catch (err) {
      this.host.failSubscriber(this, err);
    }
  }

  streamStopped(reason: StreamStopReason): void {
    this.flushQueue();
    this.configStale = false;
    if (this.dropping) this.endEpisode();
    if (this.closed) return;
    try {
      this.sink.onStreamStopped(reason);
    } catch (err) {
      this.host.failSubscriber(this, err);
    }
  }

  /** Called by the host when it removes this subscriber. */
  markClosed(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.written = [];
  }

  private startEpisode(lag: SubscriberLag): void {
    this.dropping = true;
    this.dropEpisodes++;
    this.episodeDropped = 0;
    this.episodeStartedAt = this.host.now();
    this.host.lagging(this, lag);
  }

  private endEpisode(): void {
    this.dropping = false;
    this.waitKeyframe = false;
    const dropped = this.episodeDropped;
    this.episodeDropped = 0;
    if (this.configStale) {
      this.configStale = false;
      // Sequence headers changed while dropping: the player needs the new ones before the keyframe.
      for (const p of this.host.configPackets()) {
        const buf = p.encodedWith(this.encoding);
        if (buf !== null) this.enqueue(buf);
      }
    }
    this.host.recovered(this, dropped, this.episodeStartedAt);
  }

  private pushBuffer(buffers: Buffer[], p: MediaPacket): number {
    const buf = p.encodedWith(this.encoding);
    if (buf === null) return 0;
    buffers.push(buf);
    return buf.length;
  }

  private write(buffers: Buffer[], bytes: number): void {
    const firstTs = this.queueTs >= 0 ? this.queueTs : this.headTs;
    const lastTs = this.queueLastTs >= firstTs ? this.queueLastTs : firstTs;
    this.queueTs = -1;
    this.queueLastTs = -1;
    try {
      this.sink.writev(buffers);
    } catch (err) {
      this.host.failSubscriber(this, err);
      return;
    }
    this.bytesOut += bytes;
    this.messagesOut += buffers.length;
    // Metadata and sequence headers before the first frame have no place on the timeline: not tracked.
    if (firstTs < 0) return;
    this.written.push(this.bytesOut - bytes, this.bytesOut, firstTs, lastTs);
  }
}

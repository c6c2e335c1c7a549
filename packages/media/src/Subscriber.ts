import type { PacketEncoding, StreamStartedInfo, StreamStopReason, SubscriberSink, SubscriberStats } from './HubTypes.js';
import type { Flushable } from './MergedFlushScheduler.js';
import { MediaKind, type MediaPacket } from './MediaPacket.js';
import type { Subscription } from './StreamHub.js';

/** What a subscriber needs from the stream it plays. */
export interface SubscriberHost {
  readonly key: string;
  readonly live: boolean;
  /** the current publish has sent video (else audio frames are sync points) */
  readonly hasVideo: boolean;
  /** measured ingress rate, bytes per ms of media (0 while unknown) */
  readonly bytesPerMs: number;
  /** metadata and sequence headers of the current publish, in send order */
  configPackets(): MediaPacket[];
  markDirty(sub: Subscriber): void;
  removeSubscriber(sub: Subscriber): void;
  failSubscriber(sub: Subscriber, error: unknown): void;
  lagging(sub: Subscriber, backlogBytes: number, budgetBytes: number): void;
  recovered(sub: Subscriber, droppedMessages: number, startedAt: number): void;
  now(): number;
}

export interface ResolvedSubscriberOptions {
  latencyBudgetMs: number;
  minBudgetBytes: number;
  maxBacklogBytes: number;
}

/**
 * One sink playing one stream: its merged-write queue and its delay
 * compensation. Backlog = transport backlog (sink.pendingBytes) + own queue;
 * above the budget the subscriber drops everything until a keyframe arrives
 * while the backlog is back under half the budget, so memory per subscriber
 * stays bounded by the budget (plus the join burst) and nobody else waits.
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
  /** bytes of the join burst still tolerated above the budget until the backlog first drains */
  private joinAllowance = 0;
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
  joinLive(config: readonly MediaPacket[], gop: readonly MediaPacket[]): void {
    this.sawPublisher = true;
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (const p of config) bytes += this.pushBuffer(buffers, p);
    for (const p of gop) bytes += this.pushBuffer(buffers, p);
    // A GOP starts with a keyframe, so the player can decode from its first frame.
    this.waitKeyframe = gop.length === 0;
    this.joinAllowance = bytes;
    if (buffers.length > 0) this.write(buffers, bytes);
  }

  /**
   * Decide whether a packet goes to this subscriber. Called once per packet per
   * subscriber on the hot path; returns false for dropped and skipped packets.
   */
  admit(p: MediaPacket): boolean {
    const backlog = this.sink.pendingBytes + this.queuedBytes;
    if (this.dropping) {
      if (p.isConfig) {
        this.configStale = true;
        return false;
      }
      const syncPoint = p.isKeyframe || (p.kind === MediaKind.Audio && !this.host.hasVideo);
      if (syncPoint && backlog <= this.budgetBytes() / 2) {
        this.endEpisode();
        return true;
      }
      this.droppedMessages++;
      this.episodeDropped++;
      return false;
    }
    const budget = this.budgetBytes();
    // An empty backlog always admits, so one message larger than the budget is not dropped forever.
    if (backlog > 0 && backlog + p.payload.length > budget + this.joinAllowance) {
      this.startEpisode(backlog, budget + this.joinAllowance);
      if (p.isConfig) this.configStale = true;
      else {
        this.droppedMessages++;
        this.episodeDropped++;
      }
      return false;
    }
    if (this.joinAllowance > 0 && backlog <= budget) this.joinAllowance = 0;
    if (this.waitKeyframe && p.kind === MediaKind.Video && !p.isConfig) {
      if (!p.isKeyframe) return false;
      this.waitKeyframe = false;
    }
    return true;
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
  }

  private budgetBytes(): number {
    const o = this.options;
    const byRate = o.latencyBudgetMs * this.host.bytesPerMs;
    return Math.min(o.maxBacklogBytes, byRate > o.minBudgetBytes ? byRate : o.minBudgetBytes);
  }

  private startEpisode(backlog: number, budget: number): void {
    this.dropping = true;
    this.dropEpisodes++;
    this.episodeDropped = 0;
    this.episodeStartedAt = this.host.now();
    this.host.lagging(this, backlog, budget);
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
    try {
      this.sink.writev(buffers);
    } catch (err) {
      this.host.failSubscriber(this, err);
      return;
    }
    this.bytesOut += bytes;
    this.messagesOut += buffers.length;
  }
}

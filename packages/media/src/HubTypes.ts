import type { RtmpMessage } from '@rtmp-cluster/rtmp';
import type { PacketEncoding } from './MediaPacket.js';

export type { PacketEncoding };

/**
 * One message a publisher feeds the hub, already decoded by the RTMP session (packages/rtmp), so the hub
 * never decodes it again: audio and video as received (aggregates split), data as a plain AMF0 message
 * ('@setDataFrame' stripped), onMetaData with its decoded object. The sessions' 'media' and 'metadata'
 * events are such values and are pushed as they are.
 */
export type PublishedMessage =
  | { readonly kind: 'audio' | 'video' | 'data'; readonly message: RtmpMessage }
  | { readonly kind: 'metadata'; readonly metadata: unknown; readonly message: RtmpMessage };

/** The onMetaData object as the publisher sent it (AMF object or ECMA array, read as a record). */
export type StreamMetadata = Record<string, unknown>;

/** What a publisher does when a second publisher claims a live name. */
export type DuplicatePublishPolicy = 'reject' | 'takeover';

/** Why the hub tells a publisher source to go away. */
export type PublisherCloseReason = 'takeover' | 'kicked' | 'hubClosed';

/** Why a stream stopped for a subscriber. */
export type StreamStopReason = 'unpublished' | 'takeover' | 'kicked' | 'hubClosed';

/**
 * The media source side: a publishing connection now, an edge relay pull later.
 * The hub calls close() when it detaches the source by itself (takeover, kick,
 * hub shutdown); the source must then stop pushing and close its transport.
 * By the time close() runs the hub has already detached it: further
 * Publication.push() calls are ignored and unpublish() is a no-op.
 */
export interface PublisherSource {
  readonly id: string;
  /**
   * The source relays a stream published on another node (an edge's pull): the stream's timeline is the
   * upstream's timestamps as received, not this hub's output (see LiveStream.streamTimestamp). Its media is
   * written to players on the event-loop turn after it arrives, without the merge window: the upstream merged.
   */
  readonly relayed?: boolean;
  close(reason: PublisherCloseReason): void;
}

export interface StreamStartedInfo {
  key: string;
  publisherId: string;
  /** true when this subscriber already saw an earlier publisher of this name */
  republish: boolean;
}

/**
 * The player side, implemented by the server connection (or a test double).
 *
 * Contract:
 * - chunkSize and streamId are read ONCE at subscribe time; the buffers the hub
 *   writes are whole RTMP chunk sequences for that outbound chunk size and
 *   message stream id, on csids 4 (audio), 5 (data), 6 (video), all type-0 first
 *   chunks. The connection must not use csids 4-6 for anything else. To change
 *   chunk size, unsubscribe and subscribe again.
 * - writev(buffers) writes all buffers in order (socket.cork + write each +
 *   uncork, or one _writev). The buffers are SHARED with other subscribers: never
 *   modify them. The array belongs to the sink after the call.
 * - pendingBytes is the transport backlog (socket.writableLength); the hub reads
 *   it to decide when the subscriber is too slow.
 * - onStreamStarted is called when a publisher starts while the sink is subscribed
 *   (subscribe-before-publish, or a republish). It is NOT called at subscribe time
 *   for a stream that is already live: the server sends its play status messages
 *   before it subscribes. onStreamStopped is called when the publisher goes away;
 *   the subscription stays, waiting for a republish, until the sink unsubscribes.
 *   Before either callback the hub flushes everything queued for the sink, so what
 *   the sink writes from the callback is ordered after the media already sent.
 * - None of the methods may throw; if writev throws anyway the hub unsubscribes
 *   the sink and emits 'subscriberError'.
 */
export interface SubscriberSink {
  readonly id: string;
  /**
   * How packets are serialized for this sink; absent = RTMP chunks for (chunkSize, streamId). Read once at
   * subscribe time. Sinks whose encodings share an id share one Buffer per packet.
   */
  readonly encoding?: PacketEncoding;
  /** message stream id the player plays on (usually 1) */
  readonly streamId: number;
  /** outbound chunk size of the connection */
  readonly chunkSize: number;
  /** bytes written but not yet flushed by the transport */
  readonly pendingBytes: number;
  writev(buffers: Buffer[]): void;
  onStreamStarted(info: StreamStartedInfo): void;
  onStreamStopped(reason: StreamStopReason): void;
}

export interface GopCacheOptions {
  /** payload bytes held, default 8 MiB */
  maxBytes?: number;
  /** messages held (audio + video), default 4096 */
  maxMessages?: number;
  /** media time from the keyframe to the newest message, default 10 000 ms */
  maxDurationMs?: number;
}

export interface SubscriberOptions {
  /**
   * how far (media ms) a subscriber may fall behind live before it drops to the next keyframe, default 3000;
   * media handed over faster than real time (the GOP burst at join) is a head start, not lag
   */
  latencyBudgetMs?: number;
  /** hard cap of backlog (transport + hub queue) bytes beyond the join burst, the memory bound, default 16 MiB */
  maxBacklogBytes?: number;
}

export interface TimestampRepairOptions {
  /** a forward step larger than this is a discontinuity, default 3000 ms */
  jumpThresholdMs?: number;
  /** a backward step up to this is clamped, larger ones are a discontinuity, default 500 ms */
  backwardToleranceMs?: number;
  /** output step after a discontinuity (and at a republish), default 10 ms */
  discontinuityStepMs?: number;
}

export interface StreamHubOptions {
  duplicatePublishPolicy?: DuplicatePublishPolicy;
  /**
   * merged-write window: 0 = flush on the next setImmediate, >0 = one timer of that many ms per hub; relayed
   * publications (PublisherSource.relayed) do not wait for it
   */
  mergeWindowMs?: number;
  /**
   * end a merge window early at the end of each video frame (flush on the next event-loop turn) while flush cycles
   * leave the node time to spare: video is not held, audio waits at most twice the window for the frame it rides
   * with; a busy node merges over the window (MergedFlushScheduler); default false here (a node turns it on with
   * its RTMPC_FLUSH_ON_VIDEO_FRAME setting, true by default)
   */
  flushOnVideoFrame?: boolean;
  gop?: GopCacheOptions;
  /** defaults for every subscriber, overridable per subscribe() call */
  subscriber?: SubscriberOptions;
  timestamps?: TimestampRepairOptions;
  /** wall clock in ms (tests inject one), default Date.now */
  now?: () => number;
}

export interface PublishOptions {
  /** overrides the hub's duplicatePublishPolicy for this call */
  duplicatePolicy?: DuplicatePublishPolicy;
}

export interface VideoStats {
  codec: string | null;
  width: number | null;
  height: number | null;
  /** measured over media time (frames that are not sequence headers) */
  frameRate: number | null;
}

export interface AudioStats {
  codec: string | null;
  sampleRate: number | null;
  channels: number | null;
}

export interface StreamStats {
  key: string;
  live: boolean;
  publisherId: string | null;
  /** wall-clock ms of the current publish start */
  publishedAt: number | null;
  /** payload bytes received since the current publish start */
  bytesIn: number;
  messagesIn: number;
  /** moving ingress rate in bit/s over media time */
  ingressBitrate: number;
  video: VideoStats | null;
  audio: AudioStats | null;
  metadata: StreamMetadata | null;
  subscriberCount: number;
  gopBytes: number;
  gopMessages: number;
  /** discontinuities the timestamp repairer rebased over */
  timestampRepairs: number;
  /** data/media messages that could not be parsed and were dropped */
  malformedMessages: number;
}

export interface SubscriberStats {
  id: string;
  key: string;
  bytesOut: number;
  messagesOut: number;
  droppedMessages: number;
  dropEpisodes: number;
  dropping: boolean;
  queuedBytes: number;
}

export interface StreamPublishedEvent {
  key: string;
  publisherId: string;
  /** the stream object already had a publisher before (its subscribers continue) */
  republish: boolean;
  /** this publisher evicted the previous one (a 'streamUnpublished' with reason 'takeover' came just before) */
  takeover: boolean;
}
export interface StreamUnpublishedEvent {
  key: string;
  publisherId: string;
  reason: StreamStopReason;
}
export interface SubscriberChangedEvent {
  key: string;
  subscriberId: string;
  subscriberCount: number;
}
/** once per drop episode, when a subscriber starts dropping */
export interface SubscriberLaggingEvent {
  key: string;
  subscriberId: string;
  /** media time behind live beyond the subscriber's head start */
  lagMs: number;
  budgetMs: number;
  /** transport backlog plus hub queue */
  backlogBytes: number;
  /** the byte bound in force (maxBacklogBytes plus any join burst not yet drained) */
  maxBacklogBytes: number;
}
/** when a dropping subscriber resumes at a keyframe */
export interface SubscriberRecoveredEvent {
  key: string;
  subscriberId: string;
  droppedMessages: number;
  durationMs: number;
}
export interface SubscriberErrorEvent {
  key: string;
  subscriberId: string;
  error: unknown;
}

/** Typed events of StreamHub. Listeners must not throw. */
export interface StreamHubEvents {
  streamPublished: [StreamPublishedEvent];
  streamUnpublished: [StreamUnpublishedEvent];
  subscriberAdded: [SubscriberChangedEvent];
  subscriberRemoved: [SubscriberChangedEvent];
  subscriberLagging: [SubscriberLaggingEvent];
  subscriberRecovered: [SubscriberRecoveredEvent];
  subscriberError: [SubscriberErrorEvent];
}

/** Handle a publisher source holds while it feeds a stream. */
export interface Publication {
  readonly key: string;
  readonly publisherId: string;
  /** false once unpublished, taken over, kicked or the hub closed */
  readonly active: boolean;
  /** One message as the RTMP session decoded it (see PublishedMessage). */
  push(input: PublishedMessage): void;
  /** Ends the publish; idempotent; subscribers stay and wait for a republish. */
  unpublish(): void;
  /**
   * The media now comes from a new source (a relay's new upstream after a failover or republish): players'
   * timestamps continue from where they were, the stream's timeline restarts (a new `timeline` on packets).
   */
  restartSource(): void;
}

/** Handle a subscriber sink holds while it plays a stream. */
export interface Subscription {
  readonly key: string;
  readonly sink: SubscriberSink;
  /** the stream has a publisher right now */
  readonly live: boolean;
  stats(): SubscriberStats;
  /** idempotent */
  unsubscribe(): void;
}

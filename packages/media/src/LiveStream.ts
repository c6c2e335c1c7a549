import { isRtmpError, parseAudioTag, parseVideoTag, VideoCodecTracker, type RtmpMessage } from '@rtmp-cluster/rtmp';
import { HubError } from './HubError.js';
import type {
  AudioStats,
  DuplicatePublishPolicy,
  GopCacheOptions,
  PacketEncoding,
  Publication,
  PublishedMessage,
  PublisherCloseReason,
  PublisherSource,
  StreamHubEvents,
  StreamMetadata,
  StreamStats,
  StreamStopReason,
  SubscriberSink,
  SubscriberStats,
  TimestampRepairOptions,
  VideoStats,
} from './HubTypes.js';
import { GopCache } from './GopCache.js';
import { MediaKind, MediaPacket, RtmpChunkEncoding } from './MediaPacket.js';
import type { MergedFlushScheduler } from './MergedFlushScheduler.js';
import { Subscriber, type ResolvedSubscriberOptions, type SubscriberHost, type SubscriberLag } from './Subscriber.js';
import { TimestampRepairer, TimestampTrack, type TimestampTrackId } from './TimestampRepairer.js';

/** media time over which the ingress rate and frame rate are sampled */
const RATE_WINDOW_MS = 1000;
/** keep a payload view only if it pins little memory besides itself; else copy it before caching */
const MAX_PINNED_SLACK = 16 * 1024;

/** What a stream needs from its hub. */
export interface StreamHost {
  readonly scheduler: MergedFlushScheduler;
  readonly gopOptions: GopCacheOptions;
  readonly timestampOptions: TimestampRepairOptions;
  now(): number;
  emitEvent<K extends keyof StreamHubEvents>(event: K, ...args: StreamHubEvents[K]): void;
  /** the stream has neither publisher nor subscribers */
  streamIdle(stream: LiveStream): void;
}

/** A sink group shares one encoding of every packet. */
interface SinkGroup {
  readonly encoding: PacketEncoding;
  /** replaced, never mutated, so a fan-out loop in progress is not disturbed */
  members: Subscriber[];
}

class PublisherHandle implements Publication {
  active = true;
  constructor(
    private readonly stream: LiveStream,
    readonly source: PublisherSource,
  ) {}

  get key(): string {
    return this.stream.key;
  }

  get publisherId(): string {
    return this.source.id;
  }

  push(input: PublishedMessage): void {
    if (this.active) this.stream.ingest(input);
  }

  unpublish(): void {
    if (this.active) this.stream.detachPublisher(this, 'unpublished', false);
  }

  restartSource(): void {
    if (this.active) this.stream.restartTimeline();
  }
}

/**
 * One 'app/name': the current publisher (if any), what a joining player needs
 * (metadata, sequence headers, GOP), the timestamp repairer that spans
 * republishes, and the subscribers grouped by encoding.
 */
export class LiveStream implements SubscriberHost {
  private readonly repairer: TimestampRepairer;
  private readonly gop: GopCache;
  /** HEVC sent under legacy codec id 7: only the sequence header tells, the frames after it say 'avc' */
  private readonly videoCodecs = new VideoCodecTracker();
  private publisher: PublisherHandle | null = null;
  /**
   * The stream's own timeline, which every node sees alike (LL-HLS numbers segments from it): on the node the
   * stream is published on, this hub's output; on a node that relays it, the upstream's timestamps as
   * received, which this hub's rebases (a relay's failover to another origin) would otherwise make differ
   * from what a node that joined later sees. `timeline` counts its restarts.
   */
  private timeline = 0;
  private relayed = false;
  private everPublished = false;
  private groups: SinkGroup[] = [];
  private subscriberCount = 0;

  private metadata: StreamMetadata | null = null;
  private metadataPacket: MediaPacket | null = null;
  private audioConfig: MediaPacket | null = null;
  private videoConfig: MediaPacket | null = null;
  private sawVideo = false;
  private seqDimensions: { width: number; height: number } | null = null;
  private publishedAt: number | null = null;
  private bytesIn = 0;
  private messagesIn = 0;
  private malformed = 0;
  private videoStats: VideoStats | null = null;
  private audioStats: AudioStats | null = null;
  private ingressBitrate = 0;
  private rateWindowStart = -1;
  private rateWindowBytes = 0;
  private fpsWindowStart = -1;
  private fpsWindowFrames = 0;

  constructor(
    readonly key: string,
    private readonly host: StreamHost,
  ) {
    this.repairer = new TimestampRepairer(host.timestampOptions);
    this.gop = new GopCache(host.gopOptions);
  }

  get live(): boolean {
    return this.publisher !== null;
  }

  get hasVideo(): boolean {
    return this.sawVideo;
  }

  get idle(): boolean {
    return this.publisher === null && this.subscriberCount === 0;
  }

  now(): number {
    return this.host.now();
  }

  // ---- publisher side ----

  attachPublisher(source: PublisherSource, policy: DuplicatePublishPolicy): Publication {
    const current = this.publisher;
    let takeover = false;
    if (current !== null) {
      if (policy !== 'takeover') {
        throw new HubError(
          'STREAM_ALREADY_PUBLISHED',
          `stream '${this.key}' is already published by '${current.source.id}'`,
        );
      }
      this.detachPublisher(current, 'takeover', true);
      takeover = true;
    }
    const republish = this.everPublished;
    this.everPublished = true;
    this.resetPublishState();
    // Output time continues from the previous publish instead of restarting.
    this.repairer.markDiscontinuity();
    this.timeline++;
    this.relayed = source.relayed === true;
    const handle = new PublisherHandle(this, source);
    this.publisher = handle;
    this.publishedAt = this.host.now();
    for (const sub of this.allSubscribers()) sub.streamStarted({ key: this.key, publisherId: source.id });
    this.host.emitEvent('streamPublished', { key: this.key, publisherId: source.id, republish, takeover });
    return handle;
  }

  /** Detach a publisher; the hub calls source.close(reason) unless the source itself unpublished. */
  detachPublisher(handle: PublisherHandle, reason: StreamStopReason, keepStream: boolean): void {
    if (this.publisher !== handle) return;
    this.publisher = null;
    handle.active = false;
    this.resetPublishState();
    for (const sub of this.allSubscribers()) sub.streamStopped(reason);
    this.host.emitEvent('streamUnpublished', { key: this.key, publisherId: handle.source.id, reason });
    if (reason !== 'unpublished') {
      try {
        handle.source.close(reason as PublisherCloseReason);
      } catch {
        // A source must not throw from close(); the hub state is already consistent either way.
      }
    }
    if (!keepStream && this.idle) this.host.streamIdle(this);
  }

  /** The publisher's media comes from a new source: output time continues, the stream's timeline restarts. */
  restartTimeline(): void {
    this.repairer.markDiscontinuity();
    this.timeline++;
  }

  kick(reason: PublisherCloseReason): boolean {
    const handle = this.publisher;
    if (handle === null) return false;
    this.detachPublisher(handle, reason, false);
    return true;
  }

  ingest(input: PublishedMessage): void {
    switch (input.kind) {
      case 'audio':
        this.ingestAudio(input.message);
        break;
      case 'video':
        this.ingestVideo(input.message);
        break;
      case 'data':
        this.ingestData(input.message);
        break;
      case 'metadata':
        this.ingestMetadata(input.metadata, input.message);
        break;
    }
    // A relayed stream arrives as the origin's merged writes: the origin already waited its merge window, so
    // waiting another one here would only add it to the hop. What the relay decoded from one socket read goes
    // out together on the next event-loop turn.
    if (this.relayed) this.host.scheduler.flushSoon();
  }

  private ingestAudio(msg: RtmpMessage): void {
    const payload = msg.payload;
    this.countIn(payload.length);
    // An empty audio message is legal (Enhanced RTMP silence); the parser reports it.
    const info = this.parseOrCount(parseAudioTag, payload);
    if (info === undefined) return;
    const stats = (this.audioStats ??= { codec: null, sampleRate: null, channels: null });
    stats.codec = info.codec;
    if (info.sampleRate !== undefined) stats.sampleRate = info.sampleRate;
    if (info.channels !== undefined) stats.channels = info.channels;
    if (info.isSequenceHeader) this.sequenceHeader('audioConfig', MediaKind.Audio, payload);
    else this.frame(msg, MediaKind.Audio, TimestampTrack.Audio, false);
  }

  private ingestVideo(msg: RtmpMessage): void {
    const payload = msg.payload;
    this.countIn(payload.length);
    if (payload.length === 0) return;
    const info = this.parseOrCount(parseVideoTag, payload);
    if (info === undefined) return;
    this.sawVideo = true;
    const stats = this.ensureVideoStats();
    stats.codec = this.videoCodecs.observe(info);
    if (info.isSequenceHeader) {
      // The SPS is the truth about the picture size; metadata width/height is only a fallback.
      if (info.config?.width !== undefined) this.seqDimensions = { width: info.config.width, height: info.config.height ?? 0 };
      this.applyDimensions();
      this.sequenceHeader('videoConfig', MediaKind.Video, payload);
      return;
    }
    this.frame(msg, MediaKind.Video, TimestampTrack.Video, info.isKeyframe);
    this.host.scheduler.flushAtBoundary();
  }

  /** Players get the plain onMetaData message, never the '@setDataFrame' wrapper (conformance 49). */
  private ingestMetadata(metadata: unknown, msg: RtmpMessage): void {
    this.countIn(msg.payload.length);
    this.metadata = isRecord(metadata) ? (metadata as StreamMetadata) : null;
    this.applyDimensions();
    // At timestamp 0, always: ffmpeg's FLV demuxer (behind its RTMP and HTTP-FLV inputs alike) takes an
    // onMetaData at any other time for a subtitle packet and adds a subtitle stream mid-play, which is
    // what players saw after an origin failover or a republish (the new publisher's metadata arrives at
    // the continued timeline's head). Metadata describes the stream, not a moment in it.
    this.metadataPacket = new MediaPacket(MediaKind.Data, 0, ownedPayload(msg.payload), false, true);
    this.fanOut(this.metadataPacket);
  }

  /**
   * Other data (cue points, text) rides at the current head: its own timestamps are often unrelated to the
   * media clock and must not move the timeline.
   */
  private ingestData(msg: RtmpMessage): void {
    this.countIn(msg.payload.length);
    this.fanOut(new MediaPacket(MediaKind.Data, this.repairer.headExtended, msg.payload, false, false));
  }

  /** the stream-timeline time of the frame just repaired to `ext` */
  private streamTimestamp(ext: number): number {
    return this.relayed ? this.repairer.sourceExtended : ext;
  }

  private configPacket(kind: typeof MediaKind.Audio | typeof MediaKind.Video | typeof MediaKind.Data, payload: Buffer): MediaPacket {
    const head = this.repairer.headExtended;
    return new MediaPacket(kind, head, ownedPayload(payload), false, true);
  }

  /**
   * A track's sequence header: one that differs from the track's config replaces it (before it goes out, so a
   * player joining meanwhile gets the new one), restarts the GOP cache and goes to every player; the same
   * header again changes nothing.
   */
  private sequenceHeader(slot: 'audioConfig' | 'videoConfig', kind: typeof MediaKind.Audio | typeof MediaKind.Video, payload: Buffer): void {
    const current = this[slot];
    if (current !== null && current.payload.equals(payload)) return;
    const config = this.configPacket(kind, payload);
    this[slot] = config;
    this.gop.reset();
    this.fanOut(config);
  }

  /** An audio or video frame: timestamp repaired, rates measured, kept in the GOP cache, sent to every player. */
  private frame(msg: RtmpMessage, kind: typeof MediaKind.Audio | typeof MediaKind.Video, track: TimestampTrackId, keyframe: boolean): void {
    const payload = msg.payload;
    const ext = this.repairer.repairExtended(msg.timestamp, track);
    const packet = new MediaPacket(kind, ext, ownedPayload(payload), keyframe, false, this.timeline, this.streamTimestamp(ext));
    this.measure(ext, payload.length, kind === MediaKind.Video);
    this.gop.add(packet);
    this.fanOut(packet);
  }

  /** The tag header as `parse` reads it; a malformed tag (an RtmpError) is counted and dropped (undefined). */
  private parseOrCount<T>(parse: (payload: Buffer) => T, payload: Buffer): T | undefined {
    try {
      return parse(payload);
    } catch (err) {
      if (!isRtmpError(err)) throw err;
      this.malformed++;
      return undefined;
    }
  }

  private countIn(bytes: number): void {
    this.bytesIn += bytes;
    this.messagesIn++;
  }

  private measure(ext: number, bytes: number, videoFrame: boolean): void {
    if (this.rateWindowStart < 0 || ext < this.rateWindowStart) {
      this.rateWindowStart = ext;
      this.rateWindowBytes = 0;
    } else {
      this.rateWindowBytes += bytes;
      const span = ext - this.rateWindowStart;
      if (span >= RATE_WINDOW_MS) {
        const sample = (this.rateWindowBytes * 8000) / span;
        this.ingressBitrate = this.ingressBitrate === 0 ? sample : this.ingressBitrate * 0.75 + sample * 0.25;
        this.rateWindowStart = ext;
        this.rateWindowBytes = 0;
      }
    }
    if (!videoFrame) return;
    if (this.fpsWindowStart < 0 || ext < this.fpsWindowStart) {
      this.fpsWindowStart = ext;
      this.fpsWindowFrames = 0;
      return;
    }
    this.fpsWindowFrames++;
    const span = ext - this.fpsWindowStart;
    if (span >= RATE_WINDOW_MS && this.videoStats !== null) {
      this.videoStats.frameRate = Math.round((this.fpsWindowFrames * 100000) / span) / 100;
      this.fpsWindowStart = ext;
      this.fpsWindowFrames = 0;
    }
  }

  private ensureVideoStats(): VideoStats {
    return (this.videoStats ??= { codec: null, width: null, height: null, frameRate: null });
  }

  private applyDimensions(): void {
    let width: unknown = this.metadata?.['width'];
    let height: unknown = this.metadata?.['height'];
    if (this.seqDimensions !== null) ({ width, height } = this.seqDimensions);
    if (typeof width !== 'number' && typeof height !== 'number') return;
    const stats = this.ensureVideoStats();
    if (typeof width === 'number') stats.width = width;
    if (typeof height === 'number') stats.height = height;
  }

  private resetPublishState(): void {
    this.metadata = null;
    this.metadataPacket = null;
    this.audioConfig = null;
    this.videoConfig = null;
    this.gop.reset();
    this.videoCodecs.reset();
    this.sawVideo = false;
    this.seqDimensions = null;
    this.publishedAt = null;
    this.bytesIn = 0;
    this.messagesIn = 0;
    this.malformed = 0;
    this.videoStats = null;
    this.audioStats = null;
    this.ingressBitrate = 0;
    this.rateWindowStart = -1;
    this.rateWindowBytes = 0;
    this.fpsWindowStart = -1;
    this.fpsWindowFrames = 0;
  }

  /** Hot path: one encode per sink group (lazily, only if someone takes it), then a reference push per subscriber. */
  private fanOut(packet: MediaPacket): void {
    const groups = this.groups;
    const now = this.host.now();
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const members = group.members;
      let buf: Buffer | null | undefined;
      for (let i = 0; i < members.length; i++) {
        const sub = members[i]!;
        if (!sub.admit(packet, now)) continue;
        if (buf === undefined) buf = packet.encodedWith(group.encoding);
        if (buf !== null) sub.enqueue(buf);
      }
    }
  }

  // ---- subscriber side ----

  addSubscriber(sink: SubscriberSink, options: ResolvedSubscriberOptions): Subscriber {
    const encoding = sink.encoding ?? rtmpEncodingOf(sink);
    for (const group of this.groups) {
      for (const member of group.members) {
        if (member.sink === sink) {
          throw new HubError('ALREADY_SUBSCRIBED', `sink '${sink.id}' already plays '${this.key}'`);
        }
      }
    }
    const sub = new Subscriber(this, sink, encoding, options);
    let group = this.groups.find((g) => g.encoding.id === encoding.id);
    if (group === undefined) {
      group = { encoding, members: [] };
      this.groups = [...this.groups, group];
    }
    group.members = [...group.members, sub];
    this.subscriberCount++;
    if (this.publisher !== null) sub.joinLive(this.configPackets(), this.gop.contents, this.host.now());
    this.host.emitEvent('subscriberAdded', {
      key: this.key,
      subscriberId: sink.id,
      subscriberCount: this.subscriberCount,
    });
    return sub;
  }

  removeSubscriber(sub: Subscriber): void {
    if (sub.isClosed) return;
    sub.markClosed();
    const group = this.groups.find((g) => g.encoding.id === sub.encoding.id);
    if (group !== undefined) {
      group.members = group.members.filter((m) => m !== sub);
      if (group.members.length === 0) this.groups = this.groups.filter((g) => g !== group);
    }
    this.subscriberCount--;
    this.host.emitEvent('subscriberRemoved', {
      key: this.key,
      subscriberId: sub.sink.id,
      subscriberCount: this.subscriberCount,
    });
    if (this.idle) this.host.streamIdle(this);
  }

  failSubscriber(sub: Subscriber, error: unknown): void {
    if (sub.isClosed) return;
    this.removeSubscriber(sub);
    this.host.emitEvent('subscriberError', { key: this.key, subscriberId: sub.sink.id, error });
  }

  configPackets(): MediaPacket[] {
    const out: MediaPacket[] = [];
    if (this.metadataPacket !== null) out.push(this.metadataPacket);
    if (this.videoConfig !== null) out.push(this.videoConfig);
    if (this.audioConfig !== null) out.push(this.audioConfig);
    return out;
  }

  markDirty(sub: Subscriber): void {
    this.host.scheduler.markDirty(sub);
  }

  lagging(sub: Subscriber, lag: SubscriberLag): void {
    this.host.emitEvent('subscriberLagging', { key: this.key, subscriberId: sub.sink.id, ...lag });
  }

  recovered(sub: Subscriber, droppedMessages: number, startedAt: number): void {
    this.host.emitEvent('subscriberRecovered', {
      key: this.key,
      subscriberId: sub.sink.id,
      droppedMessages,
      durationMs: this.host.now() - startedAt,
    });
  }

  allSubscribers(): Subscriber[] {
    const out: Subscriber[] = [];
    for (const group of this.groups) out.push(...group.members);
    return out;
  }

  /** Stop every subscriber and the publisher (hub shutdown). */
  shutdown(): void {
    const handle = this.publisher;
    if (handle !== null) this.detachPublisher(handle, 'hubClosed', true);
    else for (const sub of this.allSubscribers()) sub.streamStopped('hubClosed');
    for (const sub of this.allSubscribers()) this.removeSubscriber(sub);
  }

  stats(): StreamStats {
    return {
      key: this.key,
      live: this.publisher !== null,
      publisherId: this.publisher?.source.id ?? null,
      publishedAt: this.publishedAt,
      bytesIn: this.bytesIn,
      messagesIn: this.messagesIn,
      ingressBitrate: Math.round(this.ingressBitrate),
      video: this.videoStats === null ? null : { ...this.videoStats },
      audio: this.audioStats === null ? null : { ...this.audioStats },
      metadata: this.metadata,
      subscriberCount: this.subscriberCount,
      gopBytes: this.gop.bytes,
      gopMessages: this.gop.size,
      timestampRepairs: this.repairer.discontinuities,
      malformedMessages: this.malformed,
    };
  }

  subscriberStats(): SubscriberStats[] {
    return this.allSubscribers().map((s) => s.stats());
  }
}

function rtmpEncodingOf(sink: SubscriberSink): RtmpChunkEncoding {
  const { chunkSize, streamId } = sink;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 0x7fffffff) {
    throw new HubError('INVALID_SINK', `sink '${sink.id}' has an invalid chunk size ${chunkSize}`);
  }
  if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffffffff) {
    throw new HubError('INVALID_SINK', `sink '${sink.id}' has an invalid message stream id ${streamId}`);
  }
  return new RtmpChunkEncoding(chunkSize, streamId);
}

function isRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value)
  );
}

/** Cached packets must not pin a large input buffer that a small payload is a view of. */
function ownedPayload(payload: Buffer): Buffer {
  return payload.buffer.byteLength - payload.length > MAX_PINNED_SLACK ? Buffer.from(payload) : payload;
}

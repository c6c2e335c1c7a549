import { EventEmitter } from 'node:events';
import { HubError } from './HubError.js';
import type {
  GopCacheOptions,
  Publication,
  PublisherSource,
  PublishOptions,
  StreamHubEvents,
  StreamHubOptions,
  StreamStats,
  SubscriberOptions,
  SubscriberSink,
  SubscriberStats,
  Subscription,
  TimestampRepairOptions,
} from './HubTypes.js';
import { LiveStream, type StreamHost } from './LiveStream.js';
import { MergedFlushScheduler } from './MergedFlushScheduler.js';
import type { ResolvedSubscriberOptions } from './Subscriber.js';
import { isStreamKeyError, parseStreamKey } from '@rtmp-cluster/core';

/**
 * Every stream of a node, keyed 'app/name'. Publishers (connections or relay
 * pulls) push RtmpMessages in; subscribers (player connections) get chunk-encoded
 * Buffers out, encoded once per (chunk size, msid) and shared by all of them.
 */
export class StreamHub extends EventEmitter<StreamHubEvents> implements StreamHost {
  readonly scheduler: MergedFlushScheduler;
  readonly gopOptions: GopCacheOptions;
  readonly timestampOptions: TimestampRepairOptions;
  private readonly streams = new Map<string, LiveStream>();
  private readonly duplicatePolicy: StreamHubOptions['duplicatePublishPolicy'];
  private readonly subscriberDefaults: ResolvedSubscriberOptions;
  private readonly clock: () => number;
  private closed = false;

  constructor(options: StreamHubOptions = {}) {
    super();
    const mergeWindowMs = options.mergeWindowMs ?? 0;
    if (!(mergeWindowMs >= 0) || !Number.isFinite(mergeWindowMs)) {
      throw new RangeError(`mergeWindowMs must be a finite number >= 0, got ${mergeWindowMs}`);
    }
    this.scheduler = new MergedFlushScheduler({ windowMs: mergeWindowMs, boundaryFlushes: options.flushOnVideoFrame ?? false });
    this.gopOptions = { ...options.gop };
    this.timestampOptions = { ...options.timestamps };
    this.duplicatePolicy = options.duplicatePublishPolicy ?? 'reject';
    this.subscriberDefaults = resolveSubscriberOptions(options.subscriber, {
      latencyBudgetMs: 3000,
      maxBacklogBytes: 16 * 1024 * 1024,
    });
    this.clock = options.now ?? Date.now;
  }

  /** Attach a publisher to 'app/name'. Throws HubError STREAM_ALREADY_PUBLISHED under the 'reject' policy. */
  publish(key: string, source: PublisherSource, options: PublishOptions = {}): Publication {
    this.assertOpen();
    checkKey(key);
    const stream = this.streamFor(key);
    try {
      return stream.attachPublisher(source, options.duplicatePolicy ?? this.duplicatePolicy ?? 'reject');
    } finally {
      if (stream.idle) this.streams.delete(key);
    }
  }

  /** Subscribe a sink; works for names nobody publishes yet (the sink waits for onStreamStarted). */
  subscribe(key: string, sink: SubscriberSink, options: SubscriberOptions = {}): Subscription {
    this.assertOpen();
    checkKey(key);
    const stream = this.streamFor(key);
    try {
      return stream.addSubscriber(sink, resolveSubscriberOptions(options, this.subscriberDefaults));
    } finally {
      if (stream.idle) this.streams.delete(key);
    }
  }

  isLive(key: string): boolean {
    return this.streams.get(key)?.live ?? false;
  }

  /** Detach the publisher of key (its source.close('kicked') is called). Returns false when nobody publishes. */
  kickPublisher(key: string): boolean {
    return this.streams.get(key)?.kick('kicked') ?? false;
  }

  streamStats(key: string): StreamStats | undefined {
    return this.streams.get(key)?.stats();
  }

  /** stats of every stream the hub holds (live, or waited for by subscribers) */
  allStreamStats(): StreamStats[] {
    return [...this.streams.values()].map((s) => s.stats());
  }

  subscriberStats(key: string): SubscriberStats[] {
    return this.streams.get(key)?.subscriberStats() ?? [];
  }

  /** Write everything queued now instead of at the end of the merge window. */
  flush(): void {
    this.scheduler.flushAll();
  }

  /** Kick every publisher, stop every subscriber ('hubClosed'), cancel the flush timer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.shutdown();
    this.streams.clear();
    this.scheduler.cancel();
  }

  // ---- StreamHost (used by LiveStream) ----

  now(): number {
    return this.clock();
  }

  emitEvent<K extends keyof StreamHubEvents>(event: K, ...args: StreamHubEvents[K]): void {
    // EventEmitter's generic overloads do not accept a key-generic spread; the types match by construction.
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }

  streamIdle(stream: LiveStream): void {
    if (this.streams.get(stream.key) === stream) this.streams.delete(stream.key);
  }

  private streamFor(key: string): LiveStream {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = new LiveStream(key, this);
      this.streams.set(key, stream);
    }
    return stream;
  }

  private assertOpen(): void {
    if (this.closed) throw new HubError('HUB_CLOSED', 'the stream hub is closed');
  }
}

function resolveSubscriberOptions(
  options: SubscriberOptions | undefined,
  defaults: ResolvedSubscriberOptions,
): ResolvedSubscriberOptions {
  const resolved = {
    latencyBudgetMs: options?.latencyBudgetMs ?? defaults.latencyBudgetMs,
    maxBacklogBytes: options?.maxBacklogBytes ?? defaults.maxBacklogBytes,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`subscriber option ${name} must be a finite number >= 0, got ${value}`);
    }
  }
  return resolved;
}

/** The hub serves keys by the core rule only (callers build them with rtmpStreamKey / parseStreamKey). */
function checkKey(key: string): void {
  try {
    parseStreamKey(key);
  } catch (err) {
    if (isStreamKeyError(err)) throw new HubError('INVALID_STREAM_KEY', err.message);
    throw err;
  }
}

/**
 * Measures one hop of the media path, cheaply: every Nth audio/video message a publisher pushes into the hub
 * is stamped (one performance.now() per N messages per stream), and each player's first socket write after
 * the stamp observes the elapsed time. So the histogram shows merge-window wait + encode + fan-out + write,
 * per player, without touching every message. A player that is skipping to a keyframe observes the time to
 * its next write, which is what it experiences.
 *
 * The hub is a subclass so the server and the relays use it unchanged: publish() and subscribe() wrap the
 * Publication and the SubscriberSink.
 */
import { StreamHub, type Publication, type StreamHubOptions, type Subscription } from '@rtmp-cluster/media';
import type {
  PacketEncoding,
  PublishedMessage,
  PublishOptions,
  PublisherSource,
  StreamStartedInfo,
  StreamStopReason,
  SubscriberOptions,
  SubscriberSink,
  SubscriberStats,
} from '@rtmp-cluster/media';

/** Stamp every Nth media message (at 30 fps + audio about two samples per second per stream). */
export const DEFAULT_SAMPLE_EVERY = 32;

interface StreamProbe {
  /** performance.now() of the last stamped message */
  stampedAt: number;
  /** increments per stamp; sinks remember the last one they observed */
  seq: number;
}

export interface LatencyObserver {
  observe(seconds: number): void;
}

class ProbedPublication implements Publication {
  private count = 0;
  constructor(
    private readonly inner: Publication,
    private readonly probe: StreamProbe,
    private readonly every: number,
  ) {}
  get key(): string {
    return this.inner.key;
  }
  get publisherId(): string {
    return this.inner.publisherId;
  }
  get active(): boolean {
    return this.inner.active;
  }
  push(input: PublishedMessage): void {
    // Audio and video only: data messages are rare and do not tell the fan-out latency.
    if ((input.kind === 'audio' || input.kind === 'video') && ++this.count >= this.every) {
      this.count = 0;
      this.probe.stampedAt = performance.now();
      this.probe.seq++;
    }
    this.inner.push(input);
  }
  unpublish(): void {
    this.inner.unpublish();
  }
  restartSource(): void {
    this.inner.restartSource();
  }
}

class ProbedSink implements SubscriberSink {
  private seenSeq: number;
  constructor(
    readonly inner: SubscriberSink,
    private readonly probe: StreamProbe,
    private readonly observer: LatencyObserver,
  ) {
    // A stamp older than the subscription would measure the join, not the hop.
    this.seenSeq = probe.seq;
  }
  get id(): string {
    return this.inner.id;
  }
  get streamId(): number {
    return this.inner.streamId;
  }
  get chunkSize(): number {
    return this.inner.chunkSize;
  }
  get encoding(): PacketEncoding | undefined {
    return this.inner.encoding;
  }
  get pendingBytes(): number {
    return this.inner.pendingBytes;
  }
  writev(buffers: Buffer[]): void {
    this.inner.writev(buffers);
    if (this.probe.seq !== this.seenSeq) {
      this.seenSeq = this.probe.seq;
      this.observer.observe((performance.now() - this.probe.stampedAt) / 1000);
    }
  }
  onStreamStarted(info: StreamStartedInfo): void {
    this.inner.onStreamStarted(info);
  }
  onStreamStopped(reason: StreamStopReason): void {
    this.inner.onStreamStopped(reason);
  }
}

/**
 * The hub's subscription, handed out with the caller's own sink. A class, not an object literal with a getter and
 * closures: one per player, and such a literal costs V8 a dictionary-mode property store (about 0.7 KB).
 */
class ProbedSubscription implements Subscription {
  constructor(
    private readonly inner: Subscription,
    readonly sink: SubscriberSink,
  ) {}
  get key(): string {
    return this.inner.key;
  }
  get live(): boolean {
    return this.inner.live;
  }
  stats(): SubscriberStats {
    return this.inner.stats();
  }
  unsubscribe(): void {
    this.inner.unsubscribe();
  }
}

export class LatencyProbedHub extends StreamHub {
  /** one probe per key the hub holds; pruned lazily once the hub forgot the key (no publisher, no players) */
  private readonly probes = new Map<string, StreamProbe>();
  /** original sink -> its wrapper, so the hub's "already subscribed" check still sees one identity */
  private readonly wrappers = new WeakMap<SubscriberSink, { key: string; sink: ProbedSink }>();
  private acquisitions = 0;

  constructor(
    options: StreamHubOptions,
    private readonly observer: LatencyObserver,
    private readonly sampleEvery: number = DEFAULT_SAMPLE_EVERY,
  ) {
    super(options);
  }

  override publish(key: string, source: PublisherSource, options: PublishOptions = {}): Publication {
    const inner = super.publish(key, source, options);
    return new ProbedPublication(inner, this.probeFor(key), this.sampleEvery);
  }

  override subscribe(key: string, sink: SubscriberSink, options: SubscriberOptions = {}): Subscription {
    let wrapped = this.wrappers.get(sink);
    if (!wrapped || wrapped.key !== key) {
      wrapped = { key, sink: new ProbedSink(sink, this.probeFor(key), this.observer) };
      this.wrappers.set(sink, wrapped);
    }
    return new ProbedSubscription(super.subscribe(key, wrapped.sink, options), sink);
  }

  /** probes held now (tests check that they do not accumulate) */
  get probeCount(): number {
    return this.probes.size;
  }

  private probeFor(key: string): StreamProbe {
    if (++this.acquisitions % 256 === 0) this.prune();
    let p = this.probes.get(key);
    if (!p) {
      p = { stampedAt: 0, seq: 0 };
      this.probes.set(key, p);
    }
    return p;
  }

  /** The hub drops a stream with neither publisher nor players; so can we. */
  private prune(): void {
    for (const key of [...this.probes.keys()]) if (this.streamStats(key) === undefined) this.probes.delete(key);
  }
}

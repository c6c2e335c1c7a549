import { EventEmitter } from 'node:events';
import type { RtmpMessage } from '@rtmp-cluster/rtmp';
import { HubError } from './HubError.js';
import type {
  PublisherSource,
  PublishOptions,
  StreamHubEvents,
  StreamHubOptions,
  StreamStats,
  SubscriberOptions,
  SubscriberSink,
  SubscriberStats,
} from './HubTypes.js';

/** Handle a publisher source holds while it feeds a stream. */
export interface Publication {
  readonly key: string;
  readonly publisherId: string;
  /** false once unpublished, taken over, kicked or the hub closed */
  readonly active: boolean;
  /** Audio (8), video (9), data (18/15, '@setDataFrame' stripped), aggregate (22, split). Others ignored. */
  push(msg: RtmpMessage): void;
  /** Ends the publish; idempotent; subscribers stay and wait for a republish. */
  unpublish(): void;
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

export class StreamHub extends EventEmitter<StreamHubEvents> {
  constructor(options: StreamHubOptions = {}) {
    super();
    void options;
  }

  /** Attach a publisher to 'app/name'. Throws HubError STREAM_ALREADY_PUBLISHED under the 'reject' policy. */
  publish(key: string, source: PublisherSource, options: PublishOptions = {}): Publication {
    void key;
    void source;
    void options;
    throw new HubError('HUB_CLOSED', 'not implemented yet');
  }

  /** Subscribe a sink; works for names nobody publishes yet (the sink waits for onStreamStarted). */
  subscribe(key: string, sink: SubscriberSink, options: SubscriberOptions = {}): Subscription {
    void key;
    void sink;
    void options;
    throw new HubError('HUB_CLOSED', 'not implemented yet');
  }

  isLive(key: string): boolean {
    void key;
    return false;
  }

  /** Detach the publisher of key (its source.close('kicked') is called). Returns false when nobody publishes. */
  kickPublisher(key: string): boolean {
    void key;
    return false;
  }

  streamStats(key: string): StreamStats | undefined {
    void key;
    return undefined;
  }

  /** stats of every stream the hub holds (live, or waited for by subscribers) */
  allStreamStats(): StreamStats[] {
    return [];
  }

  subscriberStats(key: string): SubscriberStats[] {
    void key;
    return [];
  }

  /** Write everything queued now instead of at the end of the merge window. */
  flush(): void {}

  /** Kick every publisher, stop every subscriber ('hubClosed'), cancel the flush timer. */
  close(): void {}
}

import type { StreamHub, Subscription, SubscriberSink } from '@rtmp-cluster/media';
import { ChunkDecoder, MessageType, encodeMessageShared, setChunkSizeMessage, type RtmpMessage } from '@rtmp-cluster/rtmp';

/**
 * A hub subscriber that hands the stream's messages back as RtmpMessages. The hub writes chunk
 * encodings shared with RTMP players (same chunk size and stream id, so nothing is encoded for
 * this tap alone); they are reassembled here once per stream per node. It never reports a backlog,
 * so the hub never drops frames for it: HLS needs every frame to cut the same parts as other nodes.
 */
export class HubTap implements SubscriberSink {
  readonly pendingBytes = 0;
  readonly streamId = 1;
  private readonly decoder: ChunkDecoder;
  private subscription: Subscription | undefined;
  private failed = false;

  constructor(
    readonly id: string,
    readonly chunkSize: number,
    private readonly handlers: {
      message(msg: RtmpMessage): void;
      started(): void;
      stopped(): void;
      failed(err: unknown): void;
    },
  ) {
    this.decoder = new ChunkDecoder((m) => {
      if (m.type === MessageType.Audio || m.type === MessageType.Video || m.type === MessageType.DataAmf0) this.handlers.message(m);
    });
    // The decoder starts at RTMP's 128-byte default; tell it the size the hub encodes with.
    this.decoder.push(encodeMessageShared(setChunkSizeMessage(chunkSize), 128));
  }

  subscribe(hub: StreamHub, key: string): Subscription {
    this.subscription = hub.subscribe(key, this);
    return this.subscription;
  }

  unsubscribe(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  writev(buffers: Buffer[]): void {
    if (this.failed) return;
    try {
      for (const b of buffers) this.decoder.push(b);
    } catch (err) {
      this.failed = true;
      this.handlers.failed(err);
    }
  }

  onStreamStarted(): void {
    this.handlers.started();
  }

  onStreamStopped(): void {
    this.handlers.stopped();
  }
}

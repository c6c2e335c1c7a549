import { MediaKind, type MediaPacket, type PacketEncoding, type StreamHub, type Subscription, type SubscriberSink } from '@rtmp-cluster/media';

/** One packet as a tap hands it on (payload by reference). */
export interface TappedPacket {
  kind: 'audio' | 'video' | 'data';
  /** time on the stream's own timeline, ms, 64-bit (the same on every node: MediaPacket.streamTimestamp) */
  timestamp: number;
  /** the stream timeline it belongs to: a change means a new publish or a relayed source restart */
  timeline: number;
  /** sequence header or metadata (cached, so it may belong to an earlier timeline) */
  config: boolean;
  payload: Buffer;
}

export interface TapHandlers {
  packet(packet: TappedPacket): void;
  started(): void;
  stopped(): void;
}

/**
 * Token -> packet for every tap of the process. A packet keeps its token per encoding id, so a tap that
 * subscribes after an earlier one left (a stream muxed again after an idle stop) is handed the earlier tap's
 * tokens for the cached sequence headers and GOP: a map per tap would not know them, and the stream would
 * never get its decoder configuration again.
 */
const PACKET_OF_TOKEN = new WeakMap<Buffer, MediaPacket>();

/**
 * The hub encoding of the tap: a token per packet, from which the tap finds the packet again. The hub
 * then hands this subscriber the packets themselves, in order (config, GOP, live), without copying or
 * re-encoding a payload: the token is a 1-byte Buffer and the map from it to its packet is weak.
 */
class PacketTokenEncoding implements PacketEncoding {
  readonly id = 'hls-packet';

  encode(packet: MediaPacket): Buffer {
    const token = Buffer.allocUnsafe(1);
    PACKET_OF_TOKEN.set(token, packet);
    return token;
  }
}

/** One instance for every tap: the map it fills is the process's anyway. */
const PACKET_TOKENS = new PacketTokenEncoding();

const KIND_NAMES = { [MediaKind.Audio]: 'audio', [MediaKind.Video]: 'video', [MediaKind.Data]: 'data' } as const;

/**
 * A hub subscriber that receives a stream's packets for muxing: once per stream per node. It reports no
 * transport backlog: the hub's queue for it is drained on every flush.
 */
export class HubTap implements SubscriberSink {
  readonly pendingBytes = 0;
  readonly streamId = 1;
  readonly chunkSize = 4096;
  readonly encoding = PACKET_TOKENS;
  private subscription: Subscription | undefined;

  constructor(
    readonly id: string,
    private readonly handlers: TapHandlers,
  ) {}

  subscribe(hub: StreamHub, key: string): Subscription {
    this.subscription = hub.subscribe(key, this);
    return this.subscription;
  }

  unsubscribe(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  writev(buffers: Buffer[]): void {
    for (const token of buffers) {
      const p = PACKET_OF_TOKEN.get(token);
      if (p !== undefined) {
        this.handlers.packet({ kind: KIND_NAMES[p.kind], timestamp: p.streamTimestamp, timeline: p.timeline, config: p.isConfig, payload: p.payload });
      }
    }
  }

  onStreamStarted(): void {
    this.handlers.started();
  }

  onStreamStopped(): void {
    this.handlers.stopped();
  }
}

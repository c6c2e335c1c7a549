import { FourCcSupport } from '@rtmp-cluster/rtmp';
import { RtmpChunkEncoding, type StreamStartedInfo, type StreamStopReason, type SubscriberSink } from '@rtmp-cluster/media';
import type { ConnectionOutput } from './ConnectionOutput.js';

/** What a PlayerSink tells its connection's plays when the publisher of the stream comes and goes. */
export interface PlayerStreamEvents {
  playerStreamStarted(streamId: number, info: StreamStartedInfo): void;
  playerStreamStopped(streamId: number, reason: StreamStopReason): void;
}

/**
 * The hub's view of one play on one connection (a connection may play on several message streams, each
 * is its own sink). Writes go straight to the connection's output.
 */
export class PlayerSink implements SubscriberSink {
  readonly chunkSize: number;
  readonly encoding: RtmpChunkEncoding;

  constructor(
    readonly id: string,
    readonly streamId: number,
    private readonly output: ConnectionOutput,
    private readonly events: PlayerStreamEvents,
    /** the codecs the client declared (its connect fourCcList); default: every codec */
    fourCcs: FourCcSupport = FourCcSupport.ALL,
  ) {
    this.chunkSize = output.chunkSize;
    this.encoding = new RtmpChunkEncoding(this.chunkSize, streamId, fourCcs);
  }

  get pendingBytes(): number {
    return this.output.pendingBytes;
  }

  writev(buffers: Buffer[]): void {
    this.output.writeShared(buffers);
  }

  onStreamStarted(info: StreamStartedInfo): void {
    this.events.playerStreamStarted(this.streamId, info);
  }

  onStreamStopped(reason: StreamStopReason): void {
    this.events.playerStreamStopped(this.streamId, reason);
  }
}

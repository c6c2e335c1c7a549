import type { StreamStartedInfo, StreamStopReason, SubscriberSink } from '@rtmp-cluster/media';

/** What a PlayerSink needs from its connection. */
export interface PlayerSinkHost {
  readonly outChunkSize: number;
  readonly pendingBytes: number;
  writeShared(buffers: Buffer[]): void;
  playerStreamStarted(streamId: number, info: StreamStartedInfo): void;
  playerStreamStopped(streamId: number, reason: StreamStopReason): void;
}

/**
 * The hub's view of one play on one connection (a connection may play on several message streams, each
 * is its own sink). Writes go straight to the connection's socket.
 */
export class PlayerSink implements SubscriberSink {
  readonly chunkSize: number;

  constructor(
    readonly id: string,
    readonly streamId: number,
    private readonly host: PlayerSinkHost,
  ) {
    this.chunkSize = host.outChunkSize;
  }

  get pendingBytes(): number {
    return this.host.pendingBytes;
  }

  writev(buffers: Buffer[]): void {
    this.host.writeShared(buffers);
  }

  onStreamStarted(info: StreamStartedInfo): void {
    this.host.playerStreamStarted(this.streamId, info);
  }

  onStreamStopped(reason: StreamStopReason): void {
    this.host.playerStreamStopped(this.streamId, reason);
  }
}

/** A SubscriberSink that decodes what the hub writes, for relay tests. */
import { ChunkDecoder, MessageType, type RtmpMessage } from '@rtmp-cluster/rtmp';
import type { StreamStartedInfo, StreamStopReason, SubscriberSink } from '@rtmp-cluster/media';

export class HubRecorder implements SubscriberSink {
  readonly streamId = 1;
  readonly chunkSize = 4096;
  readonly pendingBytes = 0;
  readonly messages: RtmpMessage[] = [];
  readonly started: StreamStartedInfo[] = [];
  readonly stopped: StreamStopReason[] = [];
  private readonly decoder = new ChunkDecoder((m) => this.messages.push(m));
  constructor(readonly id: string) {}
  writev(buffers: Buffer[]): void {
    for (const b of buffers) this.decoder.push(b);
  }
  onStreamStarted(info: StreamStartedInfo): void {
    this.started.push(info);
  }
  onStreamStopped(reason: StreamStopReason): void {
    this.stopped.push(reason);
  }
  media(): RtmpMessage[] {
    return this.messages.filter((m) => m.type === MessageType.Audio || m.type === MessageType.Video);
  }
}

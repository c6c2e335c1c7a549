import {
  ChunkDecoder,
  ChunkEncoder,
  MessageType,
  setChunkSizeMessage,
  type RtmpMessage,
} from '@rtmp-cluster/rtmp';
import type { StreamStartedInfo, StreamStopReason, SubscriberSink } from '../../src/index.js';

export type SinkLogEntry =
  | { kind: 'write'; buffers: Buffer[] }
  | { kind: 'started'; info: StreamStartedInfo }
  | { kind: 'stopped'; reason: StreamStopReason };

/** Test double of a player connection: records writes and callbacks in order; pendingBytes is settable. */
export class RecordingSink implements SubscriberSink {
  readonly log: SinkLogEntry[] = [];
  pendingBytes = 0;

  constructor(
    readonly id: string,
    readonly chunkSize = 4096,
    readonly streamId = 1,
  ) {}

  writev(buffers: Buffer[]): void {
    this.log.push({ kind: 'write', buffers });
  }

  onStreamStarted(info: StreamStartedInfo): void {
    this.log.push({ kind: 'started', info });
  }

  onStreamStopped(reason: StreamStopReason): void {
    this.log.push({ kind: 'stopped', reason });
  }

  get writes(): Buffer[][] {
    return this.log.flatMap((e) => (e.kind === 'write' ? [e.buffers] : []));
  }

  get buffers(): Buffer[] {
    return this.writes.flat();
  }

  get bytesWritten(): number {
    return this.buffers.reduce((n, b) => n + b.length, 0);
  }

  /** Everything written, decoded back into RTMP messages with a real chunk decoder. */
  messages(): RtmpMessage[] {
    return decodeChunks(Buffer.concat(this.buffers), this.chunkSize);
  }

  clear(): void {
    this.log.length = 0;
  }
}

export function decodeChunks(bytes: Buffer, chunkSize: number): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const decoder = new ChunkDecoder((m) => {
    if (m.type !== MessageType.SetChunkSize) out.push(m);
  });
  if (chunkSize !== 128) decoder.push(new ChunkEncoder(128).encode(setChunkSizeMessage(chunkSize)));
  decoder.push(bytes);
  return out;
}

/**
 * One HTTP-FLV or WS-FLV viewer as the hub sees it: a SubscriberSink whose packets come FLV-encoded (shared
 * Buffers), so the hub's latency budget, skip-to-keyframe and merged writes apply exactly as to RTMP
 * players. The FLV header's audio/video flags must name only tracks that exist (mpegts.js waits forever
 * for a flagged track that never comes), so tags are held until the first media frame shows what the
 * stream carries; by then the metadata and sequence headers of every track have been seen.
 */
import type { PacketEncoding, StreamStartedInfo, StreamStopReason, SubscriberSink } from '@rtmp-cluster/media';
import type { Writable } from 'node:stream';
import { writeSharedBuffers } from '@rtmp-cluster/server';
import { describeFlvTag, flvHeader, FlvTagType } from './FlvFormat.js';

/**
 * How a viewer's bytes leave: the socket of an HTTP response body or of a WebSocket. The hub's buffers are
 * already framed for it (FLV_ENCODING, WS_FLV_ENCODING); only the FLV header is framed here.
 */
export interface FlvTransport {
  /** written straight to: the hub reads its backlog once per packet, so no layer sits in between */
  readonly socket: Writable;
  /** one piece of the stream outside the hub's encoding (the FLV header), framed for this transport */
  frame(data: Buffer): Buffer;
  /** where the FLV tag starts in a Buffer of this transport's encoding */
  tagOffset(buf: Buffer): number;
}

export interface FlvViewerEvents {
  /** the stream stopped and no publisher came back in time, or the transport is gone */
  end(reason: string): void;
}

/** held before the header: a publisher that sends megabytes of config and no frame gets its header anyway */
const MAX_HELD_BYTES = 2 * 1024 * 1024;

export class FlvViewer implements SubscriberSink {
  /** unused: the encoding decides the bytes (kept for the sink contract) */
  readonly streamId = 0;
  readonly chunkSize = 0;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private headerSent = false;
  private hasAudio = false;
  private hasVideo = false;
  private stopTimer: NodeJS.Timeout | undefined;
  bytesOut = 0;

  constructor(
    readonly id: string,
    readonly encoding: PacketEncoding,
    private readonly transport: FlvTransport,
    /** how long a stopped stream may stay away before the viewer is ended */
    private readonly republishWaitMs: number,
    /** socket backlog beyond which the viewer is cut: the hub drops media for a slow one long before */
    private readonly maxPendingBytes: number,
    private readonly onEnd: (reason: string) => void,
  ) {}

  get pendingBytes(): number {
    return this.transport.socket.writableLength + this.heldBytes;
  }

  writev(buffers: Buffer[]): void {
    if (this.headerSent) {
      this.send(buffers);
      return;
    }
    let decide = false;
    for (const b of buffers) {
      this.held.push(b);
      this.heldBytes += b.length;
      const tag = describeFlvTag(b, this.transport.tagOffset(b));
      if (tag.type === FlvTagType.Audio) this.hasAudio = true;
      else if (tag.type === FlvTagType.Video) this.hasVideo = true;
      if (!tag.isConfig && tag.type !== FlvTagType.Script) decide = true;
    }
    if (decide || this.heldBytes > MAX_HELD_BYTES) this.sendHeader();
  }

  onStreamStarted(_info: StreamStartedInfo): void {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
  }

  onStreamStopped(reason: StreamStopReason): void {
    if (reason === 'hubClosed') {
      this.onEnd('server shutting down');
      return;
    }
    // An origin failover or a republish brings the stream back on the same timeline: keep the viewer.
    if (this.stopTimer) return;
    this.stopTimer = setTimeout(() => this.onEnd(`stream ${reason}, no publisher within ${this.republishWaitMs} ms`), this.republishWaitMs);
    this.stopTimer.unref();
  }

  dispose(): void {
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
    this.held = [];
    this.heldBytes = 0;
  }

  private sendHeader(): void {
    const header = this.transport.frame(flvHeader({ audio: this.hasAudio, video: this.hasVideo }));
    const out = [header, ...this.held];
    this.headerSent = true;
    this.held = [];
    this.heldBytes = 0;
    this.send(out);
  }

  private send(buffers: Buffer[]): void {
    const socket = this.transport.socket;
    if (socket.destroyed || !socket.writable) return;
    // A peer that stops reading entirely is cut.
    if (socket.writableLength > this.maxPendingBytes) {
      socket.destroy();
      return;
    }
    this.bytesOut += writeSharedBuffers(socket, buffers);
  }
}

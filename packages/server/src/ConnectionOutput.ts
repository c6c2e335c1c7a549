/**
 * Everything a connection writes: the handshake bytes, the session's messages (chunk-encoded here) and the
 * hub's shared media buffers. A peer that never reads makes every write queue in user space; past
 * `maxPendingBytes` the output stops and reports the overflow once, and the connection closes.
 */
import { ChunkEncoder, type RtmpMessage } from '@rtmp-cluster/rtmp';
import type { RtmpSocket } from './ConnectionTypes.js';
import { writeSharedBuffers } from './SharedWrites.js';

export class ConnectionOutput {
  private readonly encoder = new ChunkEncoder();
  private bytes = 0;
  private stopped = false;

  constructor(
    private readonly socket: RtmpSocket,
    private readonly maxPendingBytes: number,
    /** called once, inside the write that went over the bound: close in a later turn, not from here */
    private readonly onOverflow: (pendingBytes: number, maxPendingBytes: number) => void,
  ) {}

  get bytesOut(): number {
    return this.bytes;
  }

  /** bytes written to the socket but not yet taken by the kernel */
  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  get chunkSize(): number {
    return this.encoder.chunkSize;
  }

  setChunkSize(size: number): void {
    this.encoder.setChunkSize(size);
  }

  /** No more writes (the connection is closing). */
  stop(): void {
    this.stopped = true;
  }

  sendMessage(msg: RtmpMessage): void {
    this.write(this.encoder.encode(msg));
  }

  write(buf: Buffer): void {
    if (!this.writable()) return;
    this.bytes += buf.length;
    this.socket.write(buf);
  }

  /** Buffers shared with other players (never modified). Hot path: called once per flush per player. */
  writeShared(buffers: Buffer[]): void {
    if (!this.writable()) return;
    this.bytes += writeSharedBuffers(this.socket, buffers);
  }

  private writable(): boolean {
    if (this.stopped || this.socket.destroyed) return false;
    const pending = this.socket.writableLength;
    if (pending <= this.maxPendingBytes) return true;
    this.stopped = true;
    this.onOverflow(pending, this.maxPendingBytes);
    return false;
  }
}

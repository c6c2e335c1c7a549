import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { RtmpError } from '../errors.js';
import {
  HANDSHAKE_PACKET_SIZE,
  findPacketDigest,
  signPacket,
  signResponse,
  verifyResponse,
  type DigestScheme,
  type FoundDigest,
  type HandshakeKeys,
} from './HandshakeDigest.js';
import type { HandshakeStep, RandomBytesSource } from './HandshakeStep.js';
import { EMPTY_BUFFER, assertRtmpVersion } from './HandshakeVersion.js';

/**
 * What both ends of the RTMP handshake receive the same way: the peer's
 * version byte and first 1536-byte packet (C0 C1 or S0 S1), which is answered
 * at once, then its second packet (C2 or S2), which is checked, in pushes of
 * any size. One 1537-byte buffer holds both packets in turn, so a connection
 * in its handshake never holds more than that.
 *
 * Subclasses supply the answer to the first packet and the check of the
 * second; bytes after the second packet are handed back as the remainder.
 * The packet layout and the digest helpers below pick this end's keys, so
 * the client and the server differ only in what they decide.
 */
export abstract class HandshakeExchange {
  private readonly received = Buffer.alloc(1 + HANDSHAKE_PACKET_SIZE);
  private expected = 1 + HANDSHAKE_PACKET_SIZE;
  private filled = 0;
  private phase: 'first' | 'second' | 'done' = 'first';
  protected readonly randomBytes: RandomBytesSource;
  protected negotiatedMode: 'simple' | 'digest' | undefined;

  protected constructor(
    private readonly versionPacketName: 'C0' | 'S0',
    private readonly keys: HandshakeKeys,
    randomBytes: RandomBytesSource | undefined,
  ) {
    this.randomBytes = randomBytes ?? cryptoRandomBytes;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Builds the reply to the peer's first packet (after the version byte). May throw RtmpError. */
  protected abstract answerFirstPacket(packet: Buffer): Buffer;

  /** Checks the peer's second packet. May throw RtmpError. The buffer is reused afterwards: copy what you keep. */
  protected abstract checkSecondPacket(packet: Buffer): void;

  push(data: Buffer): HandshakeStep {
    if (this.phase === 'done') {
      throw new RtmpError('HANDSHAKE_BAD_STATE', 'handshake already complete: chunk stream bytes pushed to the handshake');
    }
    let offset = 0;
    let send: Buffer | null = null;
    if (this.phase === 'first') {
      const hadVersion = this.filled > 0;
      offset = this.take(data, 0);
      // Reject a wrong version byte as soon as it arrives instead of waiting for 1536 more bytes.
      if (!hadVersion && this.filled > 0) assertRtmpVersion(this.received[0]!, this.versionPacketName);
      if (this.filled < this.expected) return { send: null, done: false, remainder: EMPTY_BUFFER };
      send = this.answerFirstPacket(this.received.subarray(1));
      this.phase = 'second';
      this.expected = HANDSHAKE_PACKET_SIZE;
      this.filled = 0;
    }
    offset = this.take(data, offset);
    if (this.filled < this.expected) return { send, done: false, remainder: EMPTY_BUFFER };
    this.checkSecondPacket(this.received.subarray(0, HANDSHAKE_PACKET_SIZE));
    this.phase = 'done';
    return { send, done: true, remainder: data.subarray(offset) };
  }

  /** C1 and S1: time (we send 0), the 4 version bytes (0 = simple handshake), random filler. */
  protected fillFirstPacket(packet: Buffer, version: number): void {
    packet.writeUInt32BE(0, 0);
    packet.writeUInt32BE(version, 4);
    this.random(HANDSHAKE_PACKET_SIZE - 8).copy(packet, 8);
  }

  /** Writes our digest into our filled C1/S1 and returns it. */
  protected signOwnPacket(packet: Buffer, scheme: DigestScheme): Buffer {
    return signPacket(packet, scheme, this.keys.ownPartial);
  }

  protected findPeerDigest(packet: Buffer, order: readonly DigestScheme[]): FoundDigest | undefined {
    return findPacketDigest(packet, this.keys.peerPartial, order);
  }

  /** Our C2/S2 in the digest handshake: filler signed over the peer's C1/S1 digest. */
  protected answerPeerDigest(peerDigest: Buffer): Buffer {
    return signResponse(this.random(HANDSHAKE_PACKET_SIZE - 32), peerDigest, this.keys.own);
  }

  /** Whether the peer's C2/S2 is signed over our digest. */
  protected isPeerAnswer(response: Buffer, ownDigest: Buffer): boolean {
    return verifyResponse(response, ownDigest, this.keys.peer);
  }

  protected random(n: number): Buffer {
    const bytes = this.randomBytes(n);
    if (bytes.length !== n) throw new RangeError(`randomBytes returned ${bytes.length} bytes, expected ${n}`);
    return bytes;
  }

  /** Copies what the current packet still lacks from data[offset..]; returns the new offset. */
  private take(data: Buffer, offset: number): number {
    const n = Math.min(data.length - offset, this.expected - this.filled);
    data.copy(this.received, this.filled, offset, offset + n);
    this.filled += n;
    return offset + n;
  }
}

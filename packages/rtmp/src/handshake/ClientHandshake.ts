import { RtmpError } from '../errors.js';
import { CLIENT_KEYS, HANDSHAKE_PACKET_SIZE, RTMP_VERSION, formatHandshakeVersion } from './HandshakeDigest.js';
import { HandshakeExchange } from './HandshakeExchange.js';
import type { HandshakeStep, RandomBytesSource } from './HandshakeStep.js';

export interface ClientHandshakeOptions {
  /** Send an FP9 C1 with a digest (what ffmpeg does) instead of the simple handshake. */
  digest?: boolean;
  randomBytes?: RandomBytesSource;
  /** C1[4..7] in digest mode; default 9.0.124.2, the value ffmpeg sends. */
  clientVersion?: number;
}

const DEFAULT_CLIENT_VERSION = 0x09007c02;

/**
 * Client side of the RTMP handshake, for the edge's relay client. C2 is sent
 * as soon as S1 is complete (not after S2) so a server that waits for C2
 * before sending S2 cannot deadlock us.
 */
export class ClientHandshake extends HandshakeExchange {
  private started = false;
  private c1: Buffer | undefined;
  private c1Digest: Buffer | undefined;
  private readonly digest: boolean;
  private readonly clientVersion: number;

  private _serverVersion = 0;
  private _s2Matched = false;

  constructor(opts: ClientHandshakeOptions = {}) {
    super('S0', CLIENT_KEYS, opts.randomBytes);
    this.digest = opts.digest ?? false;
    this.clientVersion = (opts.clientVersion ?? DEFAULT_CLIENT_VERSION) >>> 0;
    if (this.digest && this.clientVersion === 0) {
      throw new RangeError('clientVersion must be non-zero in digest mode');
    }
  }

  /** 'digest' once the server answered with a verified S1 digest, 'simple' otherwise. */
  get mode(): 'simple' | 'digest' | undefined {
    return this.negotiatedMode;
  }

  /** S1[4..7] (0 for simple servers). */
  get serverVersion(): number {
    return this._serverVersion;
  }

  /** Whether S2 echoed C1 (simple) or carried a valid signature (digest). For logging. */
  get s2Matched(): boolean {
    return this._s2Matched;
  }

  /** C0 + C1, to write right after connecting. */
  start(): Buffer {
    if (this.started) throw new RtmpError('HANDSHAKE_BAD_STATE', 'ClientHandshake.start() called twice');
    const out = Buffer.allocUnsafe(1 + HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const c1 = out.subarray(1);
    this.fillFirstPacket(c1, this.digest ? this.clientVersion : 0);
    if (this.digest) this.c1Digest = this.signOwnPacket(c1, 0);
    this.c1 = Buffer.from(c1);
    this.started = true;
    return out;
  }

  override push(data: Buffer): HandshakeStep {
    if (!this.started) throw new RtmpError('HANDSHAKE_BAD_STATE', 'ClientHandshake.push() before start()');
    return super.push(data);
  }

  protected answerFirstPacket(s1: Buffer): Buffer {
    this._serverVersion = s1.readUInt32BE(4);
    if (!this.digest || this._serverVersion === 0) {
      // Simple server (or simple client): C2 echoes S1.
      this.negotiatedMode = 'simple';
      return Buffer.from(s1);
    }
    // ffmpeg tries the 772..775 scheme first; the order does not matter for a valid S1.
    const found = this.findPeerDigest(s1, [1, 0]);
    if (!found) {
      throw new RtmpError(
        'HANDSHAKE_DIGEST_INVALID',
        `server sent version ${formatHandshakeVersion(this._serverVersion)} in S1 without a valid digest`,
      );
    }
    this.negotiatedMode = 'digest';
    return this.answerPeerDigest(found.digest);
  }

  protected checkSecondPacket(s2: Buffer): void {
    if (this.negotiatedMode === 'digest') {
      this._s2Matched = this.isPeerAnswer(s2, this.c1Digest!);
      if (!this._s2Matched) {
        throw new RtmpError('HANDSHAKE_DIGEST_INVALID', 'S2 signature does not match our C1 digest');
      }
      return;
    }
    // Loose: servers put their own time in S2[4..7].
    this._s2Matched = s2.subarray(8).equals(this.c1!.subarray(8));
  }
}

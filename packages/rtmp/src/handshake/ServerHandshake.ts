import { HANDSHAKE_PACKET_SIZE, RTMP_VERSION, SERVER_KEYS, type DigestScheme } from './HandshakeDigest.js';
import { HandshakeExchange } from './HandshakeExchange.js';
import type { RandomBytesSource } from './HandshakeStep.js';

export interface ServerHandshakeOptions {
  randomBytes?: RandomBytesSource;
  /**
   * Version written to S1[4..7] in the digest handshake. ffmpeg only checks the
   * server digest when the first byte is >= 3, so the default keeps it so.
   */
  serverVersion?: number;
}

/** 5.0.3.1: first byte >= 3 so ffmpeg players verify (and accept) our digests. */
const DEFAULT_SERVER_VERSION = 0x05000301;

/**
 * Server side of the RTMP handshake (C0 C1 -> S0 S1 S2 -> C2), pure: bytes in,
 * bytes to send out. Speaks the FP9 digest handshake when C1 carries a valid
 * client digest and the simple (echo) handshake otherwise.
 */
export class ServerHandshake extends HandshakeExchange {
  private s1: Buffer | undefined;
  private serverDigest: Buffer | undefined;
  private readonly serverVersion: number;

  private _clientVersion = 0;
  private _digestScheme: DigestScheme | undefined;
  private _c2Matched = false;

  constructor(opts: ServerHandshakeOptions = {}) {
    super('C0', SERVER_KEYS, opts.randomBytes);
    this.serverVersion = (opts.serverVersion ?? DEFAULT_SERVER_VERSION) >>> 0;
    if (this.serverVersion === 0) {
      throw new RangeError('serverVersion must be non-zero (version 0 means the simple handshake)');
    }
  }

  /** Negotiated after C1: 'digest' if C1 carried a valid FP9 digest. */
  get mode(): 'simple' | 'digest' | undefined {
    return this.negotiatedMode;
  }

  /** C1[4..7] as an unsigned 32-bit number (ffmpeg: 0x09007c02 = 9.0.124.2; 0 = simple client). */
  get clientVersion(): number {
    return this._clientVersion;
  }

  /** Where the client digest was found (0: offset from bytes 8..11, 1: from 772..775). */
  get digestScheme(): DigestScheme | undefined {
    return this._digestScheme;
  }

  /**
   * Whether C2 was what the spec expects (an echo of S1, or in digest mode a
   * valid signature over our S1 digest). Only for logging: real clients get
   * this wrong and work anyway.
   */
  get c2Matched(): boolean {
    return this._c2Matched;
  }

  protected answerFirstPacket(c1: Buffer): Buffer {
    this._clientVersion = c1.readUInt32BE(4);
    // A zero version means the client speaks the simple handshake (spec: C1[4..7] are zero).
    const found = this._clientVersion !== 0 ? this.findPeerDigest(c1, [0, 1]) : undefined;

    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_PACKET_SIZE);
    // Never a non-zero version in a simple S1: ffmpeg would then verify a digest we do not have.
    this.fillFirstPacket(s1, found ? this.serverVersion : 0);

    if (found) {
      this.negotiatedMode = 'digest';
      this._digestScheme = found.scheme;
      this.serverDigest = this.signOwnPacket(s1, found.scheme);
      this.answerPeerDigest(found.digest).copy(s2);
    } else {
      this.negotiatedMode = 'simple';
      c1.copy(s2);
    }
    this.s1 = Buffer.from(s1);
    return out;
  }

  protected checkSecondPacket(c2: Buffer): void {
    const s1 = this.s1!;
    // An echo of S1's random part (bytes 4..7 may carry the client's read time).
    this._c2Matched =
      c2.subarray(8).equals(s1.subarray(8)) ||
      (this.serverDigest !== undefined && this.isPeerAnswer(c2, this.serverDigest));
    this.s1 = undefined;
    this.serverDigest = undefined;
  }
}

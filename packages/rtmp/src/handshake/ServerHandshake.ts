import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { RtmpError } from '../errors.js';
import {
  FLASH_MEDIA_SERVER_KEY,
  FLASH_MEDIA_SERVER_PARTIAL_KEY,
  FLASH_PLAYER_KEY,
  FLASH_PLAYER_PARTIAL_KEY,
  HANDSHAKE_PACKET_SIZE,
  RTMP_VERSION,
  findPacketDigest,
  signPacket,
  signResponse,
  verifyResponse,
  type DigestScheme,
} from './HandshakeDigest.js';
import type { HandshakeStep, RandomBytesSource } from './HandshakeStep.js';
import { EMPTY_BUFFER, assertRtmpVersion } from './HandshakeVersion.js';

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

type ServerState = 'c0c1' | 'c2' | 'done';

/**
 * Server side of the RTMP handshake (C0 C1 -> S0 S1 S2 -> C2), pure: bytes in,
 * bytes to send out. Speaks the FP9 digest handshake when C1 carries a valid
 * client digest and the simple (echo) handshake otherwise.
 */
export class ServerHandshake {
  private state: ServerState = 'c0c1';
  // C0 + C1, then reused for C2: the handshake never holds more than this.
  private readonly c0c1 = Buffer.alloc(1 + HANDSHAKE_PACKET_SIZE);
  private c2: Buffer | undefined;
  private filled = 0;
  private s1: Buffer | undefined;
  private serverDigest: Buffer | undefined;
  private readonly randomBytes: RandomBytesSource;
  private readonly serverVersion: number;

  private _mode: 'simple' | 'digest' | undefined;
  private _clientVersion = 0;
  private _digestScheme: DigestScheme | undefined;
  private _c2Matched = false;

  constructor(opts: ServerHandshakeOptions = {}) {
    this.randomBytes = opts.randomBytes ?? cryptoRandomBytes;
    this.serverVersion = (opts.serverVersion ?? DEFAULT_SERVER_VERSION) >>> 0;
    if (this.serverVersion === 0) {
      throw new RangeError('serverVersion must be non-zero (version 0 means the simple handshake)');
    }
  }

  /** Negotiated after C1: 'digest' if C1 carried a valid FP9 digest. */
  get mode(): 'simple' | 'digest' | undefined {
    return this._mode;
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

  get done(): boolean {
    return this.state === 'done';
  }

  push(data: Buffer): HandshakeStep {
    if (this.state === 'done') {
      throw new RtmpError('HANDSHAKE_BAD_STATE', 'handshake already complete: chunk stream bytes pushed to the handshake');
    }
    let offset = 0;
    let send: Buffer | null = null;

    if (this.state === 'c0c1') {
      const take = Math.min(data.length, this.c0c1.length - this.filled);
      data.copy(this.c0c1, this.filled, 0, take);
      const hadVersion = this.filled > 0;
      this.filled += take;
      offset += take;
      // Reject a wrong C0 as soon as it arrives instead of waiting for 1536 more bytes.
      if (!hadVersion && this.filled > 0) assertRtmpVersion(this.c0c1[0]!, 'C0');
      if (this.filled < this.c0c1.length) return { send: null, done: false, remainder: EMPTY_BUFFER };
      send = this.answerC1(this.c0c1.subarray(1));
      this.state = 'c2';
      this.filled = 0;
      this.c2 = this.c0c1.subarray(0, HANDSHAKE_PACKET_SIZE);
    }

    // state === 'c2'
    const c2 = this.c2!;
    const take = Math.min(data.length - offset, HANDSHAKE_PACKET_SIZE - this.filled);
    data.copy(c2, this.filled, offset, offset + take);
    this.filled += take;
    offset += take;
    if (this.filled < HANDSHAKE_PACKET_SIZE) return { send, done: false, remainder: EMPTY_BUFFER };

    this._c2Matched = this.checkC2(c2);
    this.state = 'done';
    this.s1 = undefined;
    this.c2 = undefined;
    this.serverDigest = undefined;
    return { send, done: true, remainder: data.subarray(offset) };
  }

  private answerC1(c1: Buffer): Buffer {
    this._clientVersion = c1.readUInt32BE(4);
    // A zero version means the client speaks the simple handshake (spec: C1[4..7] are zero).
    const found = this._clientVersion !== 0 ? findPacketDigest(c1, FLASH_PLAYER_PARTIAL_KEY, [0, 1]) : undefined;

    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_PACKET_SIZE);
    s1.writeUInt32BE(0, 0);
    this.fillRandom(s1, 8);

    if (found) {
      this._mode = 'digest';
      this._digestScheme = found.scheme;
      s1.writeUInt32BE(this.serverVersion, 4);
      this.serverDigest = signPacket(s1, found.scheme, FLASH_MEDIA_SERVER_PARTIAL_KEY);
      signResponse(this.random(HANDSHAKE_PACKET_SIZE - 32), found.digest, FLASH_MEDIA_SERVER_KEY).copy(s2);
    } else {
      // Never a non-zero version here: ffmpeg would then verify a digest we do not have.
      this._mode = 'simple';
      s1.writeUInt32BE(0, 4);
      c1.copy(s2);
    }
    this.s1 = Buffer.from(s1);
    return out;
  }

  private checkC2(c2: Buffer): boolean {
    const s1 = this.s1!;
    // An echo of S1's random part (bytes 4..7 may carry the client's read time).
    if (c2.subarray(8).equals(s1.subarray(8))) return true;
    return this.serverDigest !== undefined && verifyResponse(c2, this.serverDigest, FLASH_PLAYER_KEY);
  }

  private fillRandom(target: Buffer, from: number): void {
    this.random(target.length - from).copy(target, from);
  }

  private random(n: number): Buffer {
    const bytes = this.randomBytes(n);
    if (bytes.length !== n) throw new RangeError(`randomBytes returned ${bytes.length} bytes, expected ${n}`);
    return bytes;
  }
}

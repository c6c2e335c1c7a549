import { RtmpError } from '../errors.js';

/**
 * MSB-first bit cursor for codec configuration records (SPS, AudioSpecificConfig).
 * Running past the end throws TAG_MALFORMED; callers that only want best-effort
 * details catch it.
 */
export class BitReader {
  private bitPos: number;
  private readonly endBit: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.bitPos = start * 8;
    this.endBit = end * 8;
  }

  get bitsLeft(): number {
    return this.endBit - this.bitPos;
  }

  bits(n: number): number {
    if (n > this.endBit - this.bitPos) throw new RtmpError('TAG_MALFORMED', 'bitstream ended early');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.bitPos >>> 3]!;
      v = v * 2 + ((byte >>> (7 - (this.bitPos & 7))) & 1);
      this.bitPos++;
    }
    return v;
  }

  bit(): number {
    return this.bits(1);
  }

  skip(n: number): void {
    if (n > this.endBit - this.bitPos) throw new RtmpError('TAG_MALFORMED', 'bitstream ended early');
    this.bitPos += n;
  }

  /** Unsigned Exp-Golomb (H.264/H.265 ue(v)). */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new RtmpError('TAG_MALFORMED', 'Exp-Golomb code longer than 32 bits');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed Exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** Removes H.264/H.265 emulation-prevention bytes (00 00 03 -> 00 00) from a NAL unit. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  let zeros = 0;
  let needsCopy = false;
  for (let i = 0; i < nal.length; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      needsCopy = true;
      break;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
  }
  if (!needsCopy) return nal;
  const out = new Uint8Array(nal.length);
  let n = 0;
  zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}

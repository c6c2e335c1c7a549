import { RtmpError } from '../errors.js';
import { DEFAULT_LIMITS, type ProtocolLimits } from '../message.js';
import type { AmfValue } from './AmfValue.js';

export function resolveLimits(limits?: Partial<ProtocolLimits>): ProtocolLimits {
  return limits === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...limits };
}

/**
 * Bounds-checked cursor shared by the AMF0 and AMF3 decoders. It also carries
 * the per-message budgets (nesting depth, total values) so a value switched
 * from AMF0 to AMF3 keeps counting against the same bounds.
 */
export class AmfReader {
  pos: number;
  depth = 0;
  items = 0;

  constructor(
    readonly buf: Buffer,
    readonly limits: ProtocolLimits,
    start = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number): void {
    if (n > this.buf.length - this.pos) {
      throw new RtmpError('AMF_TRUNCATED', `AMF value needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
    }
  }

  /** Called for every decoded value: bounds the total work per message. */
  private countItem(): void {
    if (++this.items > this.limits.maxAmfItems) {
      throw new RtmpError('AMF_COUNT_EXCEEDED', `more than ${this.limits.maxAmfItems} AMF values in one message`);
    }
  }

  /**
   * Validates a declared element count before anything is allocated for it:
   * each element takes at least `minBytesEach` bytes, so a count the buffer
   * cannot hold is a truncation, and a count above the item bound is refused.
   */
  checkDeclaredCount(count: number, minBytesEach: number): void {
    if (count > this.limits.maxAmfItems) {
      throw new RtmpError('AMF_COUNT_EXCEEDED', `declared count ${count} above limit ${this.limits.maxAmfItems}`);
    }
    if (count * minBytesEach > this.remaining) {
      throw new RtmpError('AMF_TRUNCATED', `declared count ${count} cannot fit in the ${this.remaining} bytes left`);
    }
  }

  /** The marker that starts a value; every value counts against the per-message bound. */
  valueMarker(): number {
    this.countItem();
    return this.u8();
  }

  /** A message body is a sequence of values: reads them up to its end. */
  readAll(decoder: { readValue(): AmfValue }): AmfValue[] {
    const out: AmfValue[] = [];
    while (this.pos < this.buf.length) out.push(decoder.readValue());
    return out;
  }

  enter(): void {
    if (++this.depth > this.limits.maxAmfDepth) {
      throw new RtmpError('AMF_DEPTH_EXCEEDED', `AMF nesting deeper than ${this.limits.maxAmfDepth}`);
    }
  }

  leave(): void {
    this.depth--;
  }

  /** Claims the next `n` bytes and returns where they start. */
  private take(n: number): number {
    this.need(n);
    const at = this.pos;
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.take(1)]!;
  }

  u16(): number {
    return this.buf.readUInt16BE(this.take(2));
  }

  s16(): number {
    return this.buf.readInt16BE(this.take(2));
  }

  u32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }

  s32(): number {
    return this.buf.readInt32BE(this.take(4));
  }

  double(): number {
    return this.buf.readDoubleBE(this.take(8));
  }

  utf8(len: number): string {
    const at = this.take(len);
    return this.buf.toString('utf8', at, at + len);
  }

  /** Copies: a decoded value must not pin the (possibly large) message buffer. */
  bytes(len: number): Buffer {
    const at = this.take(len);
    return Buffer.from(this.buf.subarray(at, at + len));
  }
}

/** Growable output buffer for the AMF encoders (amortised doubling, one copy at the end). */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  // Buffer's write methods return the offset after what they wrote: that is the new length.

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.length = this.buf.writeUInt16BE(v, this.length);
  }

  s16(v: number): void {
    this.ensure(2);
    this.length = this.buf.writeInt16BE(v, this.length);
  }

  u32(v: number): void {
    this.ensure(4);
    this.length = this.buf.writeUInt32BE(v >>> 0, this.length);
  }

  s32(v: number): void {
    this.ensure(4);
    this.length = this.buf.writeInt32BE(v | 0, this.length);
  }

  double(v: number): void {
    this.ensure(8);
    this.length = this.buf.writeDoubleBE(v, this.length);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

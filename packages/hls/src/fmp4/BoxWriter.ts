/**
 * Builds ISO BMFF boxes into one growing buffer. A box is opened with its
 * four-character type, its children and fields are appended, and close()
 * patches the 32-bit size in place, so nothing is built twice or copied per box.
 */
export class BoxWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly open: number[] = [];

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  box(type: string): this {
    this.open.push(this.pos);
    this.u32(0);
    this.ascii(type);
    return this;
  }

  /** A FullBox: box header, then version (8 bits) and flags (24 bits). */
  fullBox(type: string, version: number, flags: number): this {
    this.box(type);
    return this.u32(((version & 0xff) << 24 | (flags & 0xffffff)) >>> 0);
  }

  close(): this {
    const start = this.open.pop();
    if (start === undefined) throw new Error('BoxWriter.close() without an open box');
    this.buf.writeUInt32BE(this.pos - start, start);
    return this;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf.writeUIntBE(v & 0xffffff, this.pos, 3);
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  /** Unsigned 64-bit from a non-negative safe integer. */
  u64(v: number): this {
    this.u32(Math.floor(v / 0x100000000));
    return this.u32(v % 0x100000000);
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  ascii(s: string): this {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Offset of the next byte written (for fields patched later). */
  mark(): number {
    return this.pos;
  }

  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  /** The bytes written so far (a copy sized exactly, so the scratch buffer is not pinned). */
  finish(): Buffer {
    if (this.open.length > 0) throw new Error(`BoxWriter.finish() with ${this.open.length} open box(es)`);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

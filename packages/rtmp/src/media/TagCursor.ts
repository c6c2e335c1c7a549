import { RtmpError } from '../errors.js';

/** Bounds-checked reader over an audio/video tag; any overrun is TAG_MALFORMED. */
export class TagCursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new RtmpError('TAG_MALFORMED', `${what}: needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
    }
  }

  /** Claims the next `n` bytes and returns where they start. */
  private take(n: number, what: string): number {
    this.need(n, what);
    const at = this.pos;
    this.pos = at + n;
    return at;
  }

  u8(what: string): number {
    return this.buf[this.take(1, what)]!;
  }

  u16(what: string): number {
    return this.buf.readUInt16BE(this.take(2, what));
  }

  u24(what: string): number {
    return this.buf.readUIntBE(this.take(3, what), 3);
  }

  si24(what: string): number {
    return this.buf.readIntBE(this.take(3, what), 3);
  }

  u32(what: string): number {
    return this.buf.readUInt32BE(this.take(4, what));
  }

  fourCc(what: string): string {
    const b = this.buf;
    const p = this.take(4, what);
    // Same result as toString('latin1'), without the native call: this runs once per enhanced tag.
    return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
  }

  skip(n: number, what: string): void {
    this.take(n, what);
  }
}

/** Enhanced RTMP ModEx types. */
export const ModExType = { TimestampOffsetNano: 0 } as const;

/** Packet type value (same for audio and video) that announces a ModEx prefix. */
export const PACKET_TYPE_MODEX = 7;

/**
 * Consumes the ModEx loop that may follow an ExHeader byte whose packet type
 * is ModEx: [size UI8+1 (UI16+1 when 256)] [data] [modExType:4 | packetType:4],
 * repeated while the packet type stays ModEx. Unknown ModEx types are skipped.
 */
export function readModEx(c: TagCursor, packetType: number): { packetType: number; timestampOffsetNano: number } {
  let timestampOffsetNano = 0;
  while (packetType === PACKET_TYPE_MODEX) {
    let size = c.u8('ModEx size') + 1;
    if (size === 256) size = c.u16('ModEx size') + 1;
    const dataStart = c.pos;
    c.skip(size, 'ModEx data');
    const b = c.u8('ModEx type');
    const modExType = b >>> 4;
    packetType = b & 0x0f;
    if (modExType === ModExType.TimestampOffsetNano && size >= 3) {
      timestampOffsetNano = c.buf.readUIntBE(dataStart, 3);
    }
  }
  return { packetType, timestampOffsetNano };
}

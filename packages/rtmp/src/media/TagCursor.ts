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

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(what: string): number {
    this.need(3, what);
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  si24(what: string): number {
    this.need(3, what);
    const v = this.buf.readIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  fourCc(what: string): string {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    // Same result as toString('latin1'), without the native call: this runs once per enhanced tag.
    const s = String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    this.pos = p + 4;
    return s;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
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

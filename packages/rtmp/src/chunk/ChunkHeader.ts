import { RtmpError } from '../errors.js';

/** Chunk stream ids the basic header can carry (RTMP 5.3.1.1). */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

/** Chunk size every RTMP connection starts with, in both directions (RTMP 5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;
/** Set Chunk Size carries 31 bits; the top bit must be zero (RTMP 5.4.1). */
export const MAX_CHUNK_SIZE = 0x7fffffff;

/** A 24-bit timestamp field of this value means "the real value follows as 4 bytes" (RTMP 5.3.1.3). */
export const EXTENDED_TIMESTAMP_MARKER = 0xffffff;

/** Length of the message header for chunk header types 0, 1, 2, 3 (RTMP 5.3.1.2). */
export const MESSAGE_HEADER_SIZE: readonly number[] = [11, 7, 3, 0];

/** 3-byte basic header + 11-byte type-0 header + 4-byte extended timestamp. */
export const MAX_CHUNK_HEADER_SIZE = 18;

export function basicHeaderSize(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

export function assertValidCsid(csid: number): void {
  if (!Number.isInteger(csid) || csid < MIN_CSID || csid > MAX_CSID) {
    throw new RtmpError('CHUNK_BAD_CSID', `chunk stream id ${csid} outside ${MIN_CSID}..${MAX_CSID}`);
  }
}

export function assertValidChunkSize(size: number, max: number = MAX_CHUNK_SIZE): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE || size > max) {
    throw new RtmpError('CHUNK_SIZE_INVALID', `chunk size ${size} outside 1..${Math.min(max, MAX_CHUNK_SIZE)}`);
  }
}

/** Writes the basic header at `pos` and returns the position after it. */
export function writeBasicHeader(buf: Buffer, pos: number, fmt: number, csid: number): number {
  if (csid < 64) {
    buf[pos] = (fmt << 6) | csid;
    return pos + 1;
  }
  const rest = csid - 64;
  if (csid < 320) {
    buf[pos] = fmt << 6;
    buf[pos + 1] = rest;
    return pos + 2;
  }
  // 3-byte form: marker 1, then the id minus 64 with the low byte first.
  buf[pos] = (fmt << 6) | 1;
  buf[pos + 1] = rest & 0xff;
  buf[pos + 2] = rest >>> 8;
  return pos + 3;
}

export function writeUInt24BE(buf: Buffer, pos: number, value: number): void {
  buf[pos] = (value >>> 16) & 0xff;
  buf[pos + 1] = (value >>> 8) & 0xff;
  buf[pos + 2] = value & 0xff;
}

export function writeUInt32BE(buf: Buffer, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = (value >>> 16) & 0xff;
  buf[pos + 2] = (value >>> 8) & 0xff;
  buf[pos + 3] = value & 0xff;
}

export function writeUInt32LE(buf: Buffer, pos: number, value: number): void {
  buf[pos] = value & 0xff;
  buf[pos + 1] = (value >>> 8) & 0xff;
  buf[pos + 2] = (value >>> 16) & 0xff;
  buf[pos + 3] = value >>> 24;
}

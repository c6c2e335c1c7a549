/**
 * The FLV file format as a live stream carries it (pure: Buffers in, Buffers out). A stream is the 9-byte
 * header with PreviousTagSize0, then tags, each followed by its PreviousTagSize.
 */

export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;
export type FlvTagTypeId = (typeof FlvTagType)[keyof typeof FlvTagType];

const TAG_HEADER = 11;
const TRAILER = 4;

/** 'FLV', version 1, the audio (4) and video (1) flags, header size 9, then PreviousTagSize0 = 0. */
export function flvHeader(tracks: { audio: boolean; video: boolean }): Buffer {
  const b = Buffer.alloc(13);
  b.write('FLV', 0, 'latin1');
  b[3] = 1;
  b[4] = (tracks.audio ? 4 : 0) | (tracks.video ? 1 : 0);
  b.writeUInt32BE(9, 5);
  return b;
}

/** One tag with its PreviousTagSize: 11-byte header (type, size, 24+8-bit timestamp, stream id 0), body, size. */
export function flvTag(type: FlvTagTypeId, timestamp: number, body: Buffer): Buffer {
  const size = body.length;
  const out = Buffer.allocUnsafe(TAG_HEADER + size + TRAILER);
  out[0] = type;
  out.writeUIntBE(size, 1, 3);
  out.writeUIntBE(timestamp & 0xffffff, 4, 3);
  out[7] = (timestamp >>> 24) & 0xff;
  out.writeUIntBE(0, 8, 3);
  body.copy(out, TAG_HEADER);
  out.writeUInt32BE(TAG_HEADER + size, TAG_HEADER + size);
  return out;
}

/** What a tag is, read from its first bytes: the type and whether it is decoder state (metadata, sequence header). */
export function describeFlvTag(tag: Buffer, offset = 0): { type: number; isConfig: boolean } {
  const type = tag[offset]!;
  const b0 = tag[offset + TAG_HEADER];
  const b1 = tag[offset + TAG_HEADER + 1];
  if (type === FlvTagType.Script || b0 === undefined) return { type, isConfig: true };
  if (type === FlvTagType.Video) {
    // enhanced: PacketType SequenceStart (0); legacy AVC/HEVC: AVCPacketType 0
    const isConfig = (b0 & 0x80) !== 0 ? (b0 & 0x0f) === 0 : ((b0 & 0x0f) === 7 || (b0 & 0x0f) === 12) && b1 === 0;
    return { type, isConfig };
  }
  if (type === FlvTagType.Audio) {
    const format = b0 >>> 4;
    const isConfig = format === 9 ? (b0 & 0x0f) === 0 : format === 10 && b1 === 0;
    return { type, isConfig };
  }
  return { type, isConfig: false };
}

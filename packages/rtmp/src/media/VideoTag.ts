import { RtmpError } from '../errors.js';
import { parseAvcDecoderConfig, type AvcDecoderConfig } from './AvcDecoderConfig.js';
import { videoCodecFromCodecId, videoCodecFromFourCc, type VideoCodec } from './FourCc.js';
import { parseHevcDecoderConfig, type HevcDecoderConfig } from './HevcDecoderConfig.js';
import { AvMultitrackType, readModEx, TagCursor } from './TagCursor.js';

/** FLV / Enhanced RTMP VideoFrameType. */
export const VideoFrameType = { Key: 1, Inter: 2, DisposableInter: 3, Generated: 4, Command: 5 } as const;

/** Legacy AVCPacketType (also used by legacy HEVC, codec id 12). */
export const AvcPacketType = { SequenceHeader: 0, Nalu: 1, EndOfSequence: 2 } as const;

/** Enhanced RTMP VideoPacketType. */
export const VideoPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  CodedFramesX: 3,
  Metadata: 4,
  Mpeg2TsSequenceStart: 5,
  Multitrack: 6,
  ModEx: 7,
} as const;

export type VideoDecoderConfig = ({ kind: 'avc' } & AvcDecoderConfig) | ({ kind: 'hevc' } & HevcDecoderConfig);

/** One track's share of a video tag. */
export interface VideoTrackInfo {
  trackId: number;
  codec: VideoCodec;
  fourcc: string | undefined;
  /** AVCPacketType (legacy AVC/HEVC), VideoPacketType (enhanced), -1 for legacy codecs without one */
  packetType: number;
  isKeyframe: boolean;
  isSequenceHeader: boolean;
  isEndOfSequence: boolean;
  isMetadata: boolean;
  /** composition time offset in ms (signed) */
  compositionTime: number;
  /** codec payload (config record, NAL units, AMF metadata...) as offset/length into the tag */
  dataOffset: number;
  dataLength: number;
  /** decoder configuration, parsed for AVC/HEVC sequence headers */
  config: VideoDecoderConfig | undefined;
}

export interface VideoTagInfo extends VideoTrackInfo {
  enhanced: boolean;
  /** legacy CodecID (undefined for ExHeader tags) */
  codecId: number | undefined;
  frameType: number;
  /** frameType 5: the tag carries a VideoCommand instead of a picture */
  isCommandFrame: boolean;
  videoCommand: number | undefined;
  /** ModEx TimestampOffsetNano (0 when absent) */
  timestampOffsetNano: number;
  /** Enhanced RTMP multitrack: every track (the top-level fields describe the first) */
  multitrack: { type: number; tracks: VideoTrackInfo[] } | undefined;
}

function parseConfig(codec: VideoCodec, data: Buffer): VideoDecoderConfig | undefined {
  if (codec === 'avc') {
    const c = parseAvcDecoderConfig(data);
    return c && { kind: 'avc', ...c };
  }
  if (codec === 'hevc') {
    const c = parseHevcDecoderConfig(data);
    return c && { kind: 'hevc', ...c };
  }
  return undefined;
}

function parseLegacy(payload: Buffer): VideoTagInfo {
  const b0 = payload[0]!;
  const frameType = b0 >>> 4;
  const codecId = b0 & 0x0f;
  const codec = videoCodecFromCodecId(codecId);
  const info: VideoTagInfo = {
    enhanced: false,
    codec,
    codecId,
    fourcc: undefined,
    trackId: 0,
    frameType,
    packetType: -1,
    isKeyframe: false,
    isSequenceHeader: false,
    isEndOfSequence: false,
    isMetadata: false,
    isCommandFrame: frameType === VideoFrameType.Command,
    videoCommand: undefined,
    compositionTime: 0,
    timestampOffsetNano: 0,
    dataOffset: 1,
    dataLength: payload.length - 1,
    config: undefined,
    multitrack: undefined,
  };
  const hasAvcHeader = codecId === 7 || codecId === 12;
  if (info.isCommandFrame) {
    // The command byte follows the codec header; tolerate senders that drop it.
    info.videoCommand = hasAvcHeader && payload.length >= 6 ? payload[5] : payload[1];
    return info;
  }
  if (!hasAvcHeader) {
    info.isKeyframe = frameType === VideoFrameType.Key;
    return info;
  }
  if (payload.length < 5) {
    throw new RtmpError('TAG_MALFORMED', `${codec} video tag of ${payload.length} bytes, header needs 5`);
  }
  const packetType = payload[1]!;
  info.packetType = packetType;
  info.compositionTime = payload.readIntBE(2, 3);
  info.dataOffset = 5;
  info.dataLength = payload.length - 5;
  info.isSequenceHeader = packetType === AvcPacketType.SequenceHeader;
  info.isEndOfSequence = packetType === AvcPacketType.EndOfSequence;
  info.isKeyframe = frameType === VideoFrameType.Key && packetType === AvcPacketType.Nalu;
  if (info.isSequenceHeader) info.config = parseConfig(codec, payload.subarray(5));
  return info;
}

/** Reads one track body of the given enhanced packet type, bounded by the cursor's end. */
function parseExTrackBody(c: TagCursor, packetType: number, fourcc: string, frameType: number, trackId: number): VideoTrackInfo {
  const codec = videoCodecFromFourCc(fourcc);
  let compositionTime = 0;
  if (packetType === VideoPacketType.CodedFrames && (fourcc === 'avc1' || fourcc === 'hvc1')) {
    compositionTime = c.si24('composition time');
  }
  const dataOffset = c.pos;
  const dataLength = packetType === VideoPacketType.SequenceEnd ? 0 : c.remaining;
  const isCoded = packetType === VideoPacketType.CodedFrames || packetType === VideoPacketType.CodedFramesX;
  const isSequenceHeader = packetType === VideoPacketType.SequenceStart;
  return {
    trackId,
    codec,
    fourcc,
    packetType,
    isKeyframe: isCoded && frameType === VideoFrameType.Key,
    isSequenceHeader,
    isEndOfSequence: packetType === VideoPacketType.SequenceEnd,
    isMetadata: packetType === VideoPacketType.Metadata,
    compositionTime,
    dataOffset,
    dataLength,
    config: isSequenceHeader ? parseConfig(codec, c.buf.subarray(dataOffset, dataOffset + dataLength)) : undefined,
  };
}

function parseEnhanced(payload: Buffer): VideoTagInfo {
  const c = new TagCursor(payload, 1);
  const b0 = payload[0]!;
  const frameType = (b0 >>> 4) & 0x07;
  const modEx = readModEx(c, b0 & 0x0f);
  let packetType = modEx.packetType;
  const base = {
    enhanced: true,
    codecId: undefined,
    frameType,
    timestampOffsetNano: modEx.timestampOffsetNano,
    isCommandFrame: false,
    videoCommand: undefined as number | undefined,
    multitrack: undefined as VideoTagInfo['multitrack'],
  };

  if (packetType !== VideoPacketType.Metadata && frameType === VideoFrameType.Command) {
    const videoCommand = c.u8('video command');
    return {
      ...base,
      isCommandFrame: true,
      videoCommand,
      trackId: 0,
      codec: 'unknown',
      fourcc: undefined,
      packetType,
      isKeyframe: false,
      isSequenceHeader: false,
      isEndOfSequence: false,
      isMetadata: false,
      compositionTime: 0,
      dataOffset: c.pos,
      dataLength: 0,
      config: undefined,
    };
  }

  if (packetType !== VideoPacketType.Multitrack) {
    const fourcc = c.fourCc('video FourCC');
    return { ...base, ...parseExTrackBody(c, packetType, fourcc, frameType, 0) };
  }

  const b = c.u8('multitrack type');
  const multitrackType = b >>> 4;
  packetType = b & 0x0f;
  const tracks: VideoTrackInfo[] = [];
  const multitrack = { type: multitrackType, tracks };
  const known =
    multitrackType === AvMultitrackType.OneTrack ||
    multitrackType === AvMultitrackType.ManyTracks ||
    multitrackType === AvMultitrackType.ManyTracksManyCodecs;
  const sharedFourCc = multitrackType !== AvMultitrackType.ManyTracksManyCodecs ? c.fourCc('video FourCC') : undefined;
  if (known && packetType !== VideoPacketType.Multitrack) {
    do {
      const fourcc = sharedFourCc ?? c.fourCc('track FourCC');
      const trackId = c.u8('track id');
      if (multitrackType === AvMultitrackType.OneTrack) {
        tracks.push(parseExTrackBody(c, packetType, fourcc, frameType, trackId));
        break;
      }
      const size = c.u24('track size');
      c.need(size, 'track data');
      const trackEnd = c.pos + size;
      tracks.push(parseExTrackBody(new TagCursor(payload, c.pos, trackEnd), packetType, fourcc, frameType, trackId));
      c.pos = trackEnd;
    } while (c.remaining > 0);
  }
  const first = tracks[0];
  if (first !== undefined) return { ...base, ...first, multitrack };
  // Reserved multitrack layout or nested multitrack: nothing we can interpret, and not an error.
  return {
    ...base,
    multitrack,
    trackId: 0,
    codec: sharedFourCc !== undefined ? videoCodecFromFourCc(sharedFourCc) : 'unknown',
    fourcc: sharedFourCc,
    packetType,
    isKeyframe: false,
    isSequenceHeader: false,
    isEndOfSequence: false,
    isMetadata: false,
    compositionTime: 0,
    dataOffset: c.pos,
    dataLength: c.remaining,
    config: undefined,
  };
}

/**
 * Parses an RTMP video message payload (FLV VIDEODATA): legacy codec ids and
 * Enhanced RTMP v1/v2 (ExHeader, ModEx, multitrack). Unknown codecs, packet
 * types and ModEx types are reported, never rejected; only a tag too short
 * for its own layout throws (TAG_MALFORMED).
 */
export function parseVideoTag(payload: Buffer): VideoTagInfo {
  if (payload.length === 0) throw new RtmpError('TAG_MALFORMED', 'empty video tag');
  return (payload[0]! & 0x80) !== 0 ? parseEnhanced(payload) : parseLegacy(payload);
}

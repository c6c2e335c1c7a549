import { RtmpError } from '../errors.js';
import { parseAvcDecoderConfig, type AvcDecoderConfig } from './AvcDecoderConfig.js';
import { videoCodecFromCodecId, videoCodecFromFourCc, type VideoCodec } from './FourCc.js';
import { parseHevcDecoderConfig, type HevcDecoderConfig } from './HevcDecoderConfig.js';
import { detectDecoderConfigRecord } from './DecoderConfigRecord.js';
import { describeFirstTrack, readMultitrack } from './Multitrack.js';
import { readModEx, TagCursor } from './TagCursor.js';

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
  // Sequence headers are rare (once per publish, or per keyframe for some encoders): the spread is fine here.
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

/**
 * Every VideoTrackInfo is created here, in one literal: one hidden class for
 * all tracks and no object spread per message (properties after a spread go
 * through a slow V8 runtime path).
 */
function newTrack(): VideoTrackInfo {
  return {
    trackId: 0,
    codec: 'unknown',
    fourcc: undefined,
    packetType: -1,
    isKeyframe: false,
    isSequenceHeader: false,
    isEndOfSequence: false,
    isMetadata: false,
    compositionTime: 0,
    dataOffset: 0,
    dataLength: 0,
    config: undefined,
  };
}

/** The tag-level twin of newTrack (same reasons), the first track's fields included. */
function newTagInfo(enhanced: boolean, codecId: number | undefined, codec: VideoCodec, frameType: number, dataOffset: number, dataLength: number): VideoTagInfo {
  return {
    trackId: 0,
    codec,
    fourcc: undefined,
    packetType: -1,
    isKeyframe: false,
    isSequenceHeader: false,
    isEndOfSequence: false,
    isMetadata: false,
    compositionTime: 0,
    dataOffset,
    dataLength,
    config: undefined,
    enhanced,
    codecId,
    frameType,
    isCommandFrame: false,
    videoCommand: undefined,
    timestampOffsetNano: 0,
    multitrack: undefined,
  };
}

function parseLegacy(payload: Buffer): VideoTagInfo {
  const b0 = payload[0]!;
  const frameType = b0 >>> 4;
  const codecId = b0 & 0x0f;
  const info = newTagInfo(false, codecId, videoCodecFromCodecId(codecId), frameType, 1, payload.length - 1);
  info.isCommandFrame = frameType === VideoFrameType.Command;
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
    throw new RtmpError('TAG_MALFORMED', `${info.codec} video tag of ${payload.length} bytes, header needs 5`);
  }
  const packetType = payload[1]!;
  info.packetType = packetType;
  info.compositionTime = payload.readIntBE(2, 3);
  info.dataOffset = 5;
  info.dataLength = payload.length - 5;
  info.isSequenceHeader = packetType === AvcPacketType.SequenceHeader;
  info.isEndOfSequence = packetType === AvcPacketType.EndOfSequence;
  info.isKeyframe = frameType === VideoFrameType.Key && packetType === AvcPacketType.Nalu;
  if (info.isSequenceHeader) {
    const record = payload.subarray(5);
    // Old OBS forks send HEVC under codec id 7; only the record's layout tells (see DecoderConfigRecord.ts).
    if (codecId === 7 && detectDecoderConfigRecord(record) === 'hevc') info.codec = 'hevc';
    info.config = parseConfig(info.codec, record);
  }
  return info;
}

/** Fills `track` (a fresh track, or the tag itself for a single-track tag) from one enhanced track body. */
function readExTrackBody(track: VideoTrackInfo, c: TagCursor, packetType: number, fourcc: string, frameType: number, trackId: number): VideoTrackInfo {
  const codec = videoCodecFromFourCc(fourcc);
  let compositionTime = 0;
  if (packetType === VideoPacketType.CodedFrames && (fourcc === 'avc1' || fourcc === 'hvc1')) {
    compositionTime = c.si24('composition time');
  }
  const dataOffset = c.pos;
  const dataLength = packetType === VideoPacketType.SequenceEnd ? 0 : c.remaining;
  const isCoded = packetType === VideoPacketType.CodedFrames || packetType === VideoPacketType.CodedFramesX;
  const isSequenceHeader = packetType === VideoPacketType.SequenceStart;
  track.trackId = trackId;
  track.codec = codec;
  track.fourcc = fourcc;
  track.packetType = packetType;
  track.isKeyframe = isCoded && frameType === VideoFrameType.Key;
  track.isSequenceHeader = isSequenceHeader;
  track.isEndOfSequence = packetType === VideoPacketType.SequenceEnd;
  track.isMetadata = packetType === VideoPacketType.Metadata;
  track.compositionTime = compositionTime;
  track.dataOffset = dataOffset;
  track.dataLength = dataLength;
  track.config = isSequenceHeader ? parseConfig(codec, c.buf.subarray(dataOffset, dataOffset + dataLength)) : undefined;
  return track;
}

function parseEnhanced(payload: Buffer): VideoTagInfo {
  const c = new TagCursor(payload, 1);
  const b0 = payload[0]!;
  const frameType = (b0 >>> 4) & 0x07;
  const modEx = readModEx(c, b0 & 0x0f);
  const packetType = modEx.packetType;
  const info = newTagInfo(true, undefined, 'unknown', frameType, 0, 0);
  info.timestampOffsetNano = modEx.timestampOffsetNano;

  if (packetType !== VideoPacketType.Metadata && frameType === VideoFrameType.Command) {
    info.isCommandFrame = true;
    info.videoCommand = c.u8('video command');
    info.packetType = packetType;
    info.dataOffset = c.pos;
    return info;
  }

  if (packetType !== VideoPacketType.Multitrack) {
    const fourcc = c.fourCc('video FourCC');
    readExTrackBody(info, c, packetType, fourcc, frameType, 0);
    return info;
  }

  // The multitrack path is rare enough for a closure carrying the frame type.
  const body = readMultitrack(c, 'video', VideoPacketType.Multitrack, (tc, pt, fourcc, trackId) =>
    readExTrackBody(newTrack(), tc, pt, fourcc, frameType, trackId),
  );
  info.multitrack = { type: body.type, tracks: body.tracks };
  describeFirstTrack(info, body, c, videoCodecFromFourCc, 'unknown');
  return info;
}

/**
 * Parses an RTMP video message payload (FLV VIDEODATA): legacy codec ids and
 * Enhanced RTMP v1/v2 (ExHeader, ModEx, multitrack). Unknown codecs, packet
 * types and ModEx types are reported, never rejected; only a tag too short
 * for its own layout throws (TAG_MALFORMED).
 *
 * A codec id 7 sequence header that carries an HEVCDecoderConfigurationRecord
 * is reported as 'hevc'; the coded frames after it cannot tell and still say
 * 'avc' (VideoCodecTracker remembers the header's answer per stream).
 */
export function parseVideoTag(payload: Buffer): VideoTagInfo {
  if (payload.length === 0) throw new RtmpError('TAG_MALFORMED', 'empty video tag');
  return (payload[0]! & 0x80) !== 0 ? parseEnhanced(payload) : parseLegacy(payload);
}

import { RtmpError } from '../errors.js';
import { parseAudioSpecificConfig, type AudioSpecificConfig } from './AudioSpecificConfig.js';
import { audioCodecFromFourCc, audioCodecFromSoundFormat, type AudioCodec } from './FourCc.js';
import { describeFirstTrack, readMultitrack } from './Multitrack.js';
import { readModEx, TagCursor } from './TagCursor.js';

/** FLV SoundFormat values with a special meaning here. */
export const SoundFormat = { Aac: 10, ExHeader: 9 } as const;

/** Legacy AACPacketType. */
export const AacPacketType = { SequenceHeader: 0, Raw: 1 } as const;

/** Enhanced RTMP AudioPacketType. */
export const AudioPacketType = {
  SequenceStart: 0,
  CodedFrames: 1,
  SequenceEnd: 2,
  MultichannelConfig: 4,
  Multitrack: 5,
  ModEx: 7,
} as const;

/** Enhanced RTMP AudioChannelOrder. */
export const AudioChannelOrder = { Unspecified: 0, Native: 1, Custom: 2 } as const;

export interface MultichannelConfig {
  channelOrder: number;
  channelCount: number;
  /** AudioChannel per channel (Custom order) */
  channelMapping?: number[];
  /** AudioChannelMask bits (Native order) */
  channelFlags?: number;
}

export interface AudioTrackInfo {
  trackId: number;
  codec: AudioCodec;
  fourcc: string | undefined;
  /** AACPacketType (legacy AAC), AudioPacketType (enhanced), -1 for legacy formats without one */
  packetType: number;
  isSequenceHeader: boolean;
  isSequenceEnd: boolean;
  sampleRate: number | undefined;
  channels: number | undefined;
  /** codec payload as offset/length into the tag */
  dataOffset: number;
  dataLength: number;
  /** AudioSpecificConfig of an AAC sequence header */
  aacConfig: AudioSpecificConfig | undefined;
  multichannelConfig: MultichannelConfig | undefined;
}

export interface AudioTagInfo extends AudioTrackInfo {
  enhanced: boolean;
  /** FLV SoundFormat (9 for ExHeader tags, -1 for an empty tag) */
  soundFormat: number;
  /** bits per sample from the legacy flags (undefined when they do not apply) */
  sampleSize: number | undefined;
  /** an empty audio message: silence, legal (Enhanced RTMP) */
  isSilence: boolean;
  timestampOffsetNano: number;
  multitrack: { type: number; tracks: AudioTrackInfo[] } | undefined;
}

const LEGACY_RATES = [5512, 11025, 22050, 44100];

/** Sample rate implied by the legacy flags, for formats whose flags are meaningful. */
function legacyRate(soundFormat: number, rateBits: number): number | undefined {
  switch (soundFormat) {
    case 4:
      return 16000; // Nellymoser 16 kHz mono
    case 5:
    case 7:
    case 8:
    case 14:
      return 8000;
    case 11:
      return 16000; // Speex is always 16 kHz in FLV
    default:
      return LEGACY_RATES[rateBits];
  }
}

/**
 * Every AudioTrackInfo is created here, fully populated in one literal: a
 * single hidden class for all tracks, and no object spread on the per-message
 * path (V8 defines each property that follows a spread through a slow runtime
 * call: that made a plain AAC tag cost ~10 µs).
 */
function newTrack(): AudioTrackInfo {
  return {
    trackId: 0,
    codec: 'unknown',
    fourcc: undefined,
    packetType: -1,
    isSequenceHeader: false,
    isSequenceEnd: false,
    sampleRate: undefined,
    channels: undefined,
    dataOffset: 0,
    dataLength: 0,
    aacConfig: undefined,
    multichannelConfig: undefined,
  };
}

/** The tag-level twin of newTrack (same reasons): one literal, the fields of the first track included. */
function newTagInfo(enhanced: boolean, soundFormat: number, codec: AudioCodec, fourcc: string | undefined, dataOffset: number, dataLength: number): AudioTagInfo {
  return {
    trackId: 0,
    codec,
    fourcc,
    packetType: -1,
    isSequenceHeader: false,
    isSequenceEnd: false,
    sampleRate: undefined,
    channels: undefined,
    dataOffset,
    dataLength,
    aacConfig: undefined,
    multichannelConfig: undefined,
    enhanced,
    soundFormat,
    sampleSize: undefined,
    isSilence: false,
    timestampOffsetNano: 0,
    multitrack: undefined,
  };
}

function parseLegacy(payload: Buffer): AudioTagInfo {
  const b0 = payload[0]!;
  const soundFormat = b0 >>> 4;
  const info = newTagInfo(false, soundFormat, audioCodecFromSoundFormat(soundFormat), undefined, 1, payload.length - 1);
  if (soundFormat !== SoundFormat.Aac) {
    info.sampleRate = legacyRate(soundFormat, (b0 >>> 2) & 0x03);
    info.sampleSize = (b0 & 0x02) !== 0 ? 16 : 8;
    info.channels = (b0 & 0x01) + 1;
    return info;
  }
  // AAC flags are fixed at 44 kHz stereo whatever the stream is: only the AudioSpecificConfig tells the truth.
  if (payload.length < 2) throw new RtmpError('TAG_MALFORMED', 'AAC audio tag without a packet type');
  info.packetType = payload[1]!;
  info.dataOffset = 2;
  info.dataLength = payload.length - 2;
  if (info.packetType === AacPacketType.SequenceHeader) {
    info.isSequenceHeader = true;
    applyAac(info, payload.subarray(2));
  }
  return info;
}

function applyAac(track: AudioTrackInfo, config: Buffer): void {
  const asc = parseAudioSpecificConfig(config);
  track.aacConfig = asc;
  if (asc !== undefined) {
    track.sampleRate = asc.extensionSampleRate ?? asc.sampleRate;
    track.channels = asc.channels;
  }
}

/** Best-effort sample rate / channels from an Enhanced RTMP sequence start. */
function applySequenceStart(track: AudioTrackInfo, data: Buffer): void {
  if (track.codec === 'aac') {
    applyAac(track, data);
  } else if (track.codec === 'opus') {
    // OpusHead: magic(8) version(1) channels(1) pre-skip(2) input rate(4, LE); Opus always decodes at 48 kHz
    if (data.length >= 10 && data.toString('latin1', 0, 8) === 'OpusHead') {
      track.channels = data[9];
      track.sampleRate = 48000;
    }
  } else if (track.codec === 'flac') {
    // optional 'fLaC' marker, then a metadata block header and STREAMINFO
    let p = data.length >= 4 && data.toString('latin1', 0, 4) === 'fLaC' ? 4 : 0;
    if (data.length >= p + 4 + 18 && (data[p]! & 0x7f) === 0) {
      p += 4 + 10;
      track.sampleRate = (data[p]! << 12) | (data[p + 1]! << 4) | (data[p + 2]! >>> 4);
      track.channels = ((data[p + 2]! >>> 1) & 0x07) + 1;
    }
  }
}

/** Fills `track` (a fresh track, or the tag itself for a single-track tag) from one enhanced track body. */
function readExTrackBody(track: AudioTrackInfo, c: TagCursor, packetType: number, fourcc: string, trackId: number): AudioTrackInfo {
  track.trackId = trackId;
  track.codec = audioCodecFromFourCc(fourcc);
  track.fourcc = fourcc;
  track.packetType = packetType;
  track.dataOffset = c.pos;
  track.dataLength = c.remaining;
  if (packetType === AudioPacketType.MultichannelConfig) {
    const channelOrder = c.u8('audio channel order');
    const channelCount = c.u8('audio channel count');
    const mc: MultichannelConfig = { channelOrder, channelCount };
    if (channelOrder === AudioChannelOrder.Custom) {
      c.need(channelCount, 'audio channel mapping');
      mc.channelMapping = [...c.buf.subarray(c.pos, c.pos + channelCount)];
      c.pos += channelCount;
    } else if (channelOrder === AudioChannelOrder.Native) {
      mc.channelFlags = c.u32('audio channel flags');
    }
    track.multichannelConfig = mc;
    track.channels = channelCount;
    track.dataOffset = c.pos;
    track.dataLength = 0;
  } else if (packetType === AudioPacketType.SequenceEnd) {
    track.isSequenceEnd = true;
    track.dataLength = 0;
  } else if (packetType === AudioPacketType.SequenceStart) {
    track.isSequenceHeader = true;
    applySequenceStart(track, c.buf.subarray(c.pos, c.end));
  }
  return track;
}

function readTrack(c: TagCursor, packetType: number, fourcc: string, trackId: number): AudioTrackInfo {
  return readExTrackBody(newTrack(), c, packetType, fourcc, trackId);
}

function parseEnhanced(payload: Buffer): AudioTagInfo {
  const c = new TagCursor(payload, 1);
  const modEx = readModEx(c, payload[0]! & 0x0f);
  const info = newTagInfo(true, SoundFormat.ExHeader, 'unknown', undefined, 0, 0);
  info.timestampOffsetNano = modEx.timestampOffsetNano;
  if (modEx.packetType !== AudioPacketType.Multitrack) {
    const fourcc = c.fourCc('audio FourCC');
    readExTrackBody(info, c, modEx.packetType, fourcc, 0);
    return info;
  }
  const body = readMultitrack(c, 'audio', AudioPacketType.Multitrack, readTrack);
  info.multitrack = { type: body.type, tracks: body.tracks };
  describeFirstTrack(info, body, c, audioCodecFromFourCc, 'unknown');
  return info;
}

/**
 * Parses an RTMP audio message payload (FLV AUDIODATA): legacy sound formats
 * and Enhanced RTMP (ExHeader, ModEx, multitrack). An empty payload is
 * silence, not an error.
 */
export function parseAudioTag(payload: Buffer): AudioTagInfo {
  if (payload.length === 0) {
    const silence = newTagInfo(false, -1, 'none', undefined, 0, 0);
    silence.isSilence = true;
    return silence;
  }
  return payload[0]! >>> 4 === SoundFormat.ExHeader ? parseEnhanced(payload) : parseLegacy(payload);
}

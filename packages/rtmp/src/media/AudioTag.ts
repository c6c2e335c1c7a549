import { RtmpError } from '../errors.js';
import { parseAudioSpecificConfig, type AudioSpecificConfig } from './AudioSpecificConfig.js';
import { audioCodecFromFourCc, audioCodecFromSoundFormat, type AudioCodec } from './FourCc.js';
import { AvMultitrackType, readModEx, TagCursor } from './TagCursor.js';

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

function emptyTrack(): Omit<AudioTrackInfo, 'codec' | 'fourcc' | 'packetType' | 'dataOffset' | 'dataLength'> {
  return {
    trackId: 0,
    isSequenceHeader: false,
    isSequenceEnd: false,
    sampleRate: undefined,
    channels: undefined,
    aacConfig: undefined,
    multichannelConfig: undefined,
  };
}

function parseLegacy(payload: Buffer): AudioTagInfo {
  const b0 = payload[0]!;
  const soundFormat = b0 >>> 4;
  const codec = audioCodecFromSoundFormat(soundFormat);
  const info: AudioTagInfo = {
    ...emptyTrack(),
    enhanced: false,
    codec,
    fourcc: undefined,
    soundFormat,
    packetType: -1,
    sampleRate: legacyRate(soundFormat, (b0 >>> 2) & 0x03),
    sampleSize: (b0 & 0x02) !== 0 ? 16 : 8,
    channels: (b0 & 0x01) + 1,
    isSilence: false,
    timestampOffsetNano: 0,
    dataOffset: 1,
    dataLength: payload.length - 1,
    multitrack: undefined,
  };
  if (soundFormat !== SoundFormat.Aac) return info;
  // AAC flags are fixed at 44 kHz stereo whatever the stream is: only the AudioSpecificConfig tells the truth.
  info.sampleRate = undefined;
  info.channels = undefined;
  info.sampleSize = undefined;
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

function parseExTrackBody(c: TagCursor, packetType: number, fourcc: string, trackId: number): AudioTrackInfo {
  const track: AudioTrackInfo = {
    ...emptyTrack(),
    trackId,
    codec: audioCodecFromFourCc(fourcc),
    fourcc,
    packetType,
    dataOffset: c.pos,
    dataLength: c.remaining,
  };
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

function parseEnhanced(payload: Buffer): AudioTagInfo {
  const c = new TagCursor(payload, 1);
  const modEx = readModEx(c, payload[0]! & 0x0f);
  let packetType = modEx.packetType;
  const base = {
    enhanced: true,
    soundFormat: SoundFormat.ExHeader,
    sampleSize: undefined,
    isSilence: false,
    timestampOffsetNano: modEx.timestampOffsetNano,
    multitrack: undefined as AudioTagInfo['multitrack'],
  };
  if (packetType !== AudioPacketType.Multitrack) {
    const fourcc = c.fourCc('audio FourCC');
    return { ...base, ...parseExTrackBody(c, packetType, fourcc, 0) };
  }
  const b = c.u8('multitrack type');
  const multitrackType = b >>> 4;
  packetType = b & 0x0f;
  const tracks: AudioTrackInfo[] = [];
  const multitrack = { type: multitrackType, tracks };
  const known =
    multitrackType === AvMultitrackType.OneTrack ||
    multitrackType === AvMultitrackType.ManyTracks ||
    multitrackType === AvMultitrackType.ManyTracksManyCodecs;
  const sharedFourCc = multitrackType !== AvMultitrackType.ManyTracksManyCodecs ? c.fourCc('audio FourCC') : undefined;
  if (known && packetType !== AudioPacketType.Multitrack) {
    do {
      const fourcc = sharedFourCc ?? c.fourCc('track FourCC');
      const trackId = c.u8('track id');
      if (multitrackType === AvMultitrackType.OneTrack) {
        tracks.push(parseExTrackBody(c, packetType, fourcc, trackId));
        break;
      }
      const size = c.u24('track size');
      c.need(size, 'track data');
      const trackEnd = c.pos + size;
      tracks.push(parseExTrackBody(new TagCursor(payload, c.pos, trackEnd), packetType, fourcc, trackId));
      c.pos = trackEnd;
    } while (c.remaining > 0);
  }
  const first = tracks[0];
  if (first !== undefined) return { ...base, ...first, multitrack };
  return {
    ...base,
    ...emptyTrack(),
    multitrack,
    codec: sharedFourCc !== undefined ? audioCodecFromFourCc(sharedFourCc) : 'unknown',
    fourcc: sharedFourCc,
    packetType,
    dataOffset: c.pos,
    dataLength: c.remaining,
  };
}

/**
 * Parses an RTMP audio message payload (FLV AUDIODATA): legacy sound formats
 * and Enhanced RTMP (ExHeader, ModEx, multitrack). An empty payload is
 * silence, not an error.
 */
export function parseAudioTag(payload: Buffer): AudioTagInfo {
  if (payload.length === 0) {
    return {
      ...emptyTrack(),
      enhanced: false,
      codec: 'none',
      fourcc: undefined,
      soundFormat: -1,
      packetType: -1,
      sampleSize: undefined,
      isSilence: true,
      timestampOffsetNano: 0,
      dataOffset: 0,
      dataLength: 0,
      multitrack: undefined,
    };
  }
  return payload[0]! >>> 4 === SoundFormat.ExHeader ? parseEnhanced(payload) : parseLegacy(payload);
}

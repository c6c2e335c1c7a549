import {
  parseAudioTag,
  parseVideoTag,
  detectDecoderConfigRecord,
  type AudioSpecificConfig,
} from '@rtmp-cluster/rtmp';
import { HlsError } from '../HlsError.js';

/** Track ids inside every init segment and fragment this package writes. */
export const VIDEO_TRACK_ID = 1;
export const AUDIO_TRACK_ID = 2;
/** Video media timescale (ticks per second): the MPEG-TS clock, so ms timestamps convert exactly. */
export const VIDEO_TIMESCALE = 90_000;

export type VideoCodecName = 'avc' | 'hevc' | 'av1';
export type AudioCodecName = 'aac' | 'opus';

export interface VideoTrack {
  readonly kind: 'video';
  readonly codec: VideoCodecName;
  /** AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord or AV1CodecConfigurationRecord, as sent */
  readonly record: Buffer;
  readonly width: number;
  readonly height: number;
  readonly timescale: number;
}

export interface AudioTrack {
  readonly kind: 'audio';
  readonly codec: AudioCodecName;
  /** AudioSpecificConfig (AAC) or OpusHead (Opus), as sent */
  readonly config: Buffer;
  readonly sampleRate: number;
  readonly channels: number;
  readonly timescale: number;
  /** samples per coded frame when fixed by the codec (AAC: 1024), else undefined */
  readonly frameSamples: number | undefined;
}

export type MediaTrack = VideoTrack | AudioTrack;

/**
 * The video track a sequence header describes, or undefined for codecs fMP4 here does not carry
 * (VP9, legacy Sorenson/VP6...). `fallback` is the onMetaData size, used when the record gives none (AV1).
 */
export function videoTrackFromSequenceHeader(payload: Buffer, fallback?: { width?: number; height?: number }): VideoTrack | undefined {
  const info = parseVideoTag(payload);
  if (!info.isSequenceHeader) throw new HlsError('NOT_A_SEQUENCE_HEADER', 'video tag is not a sequence header');
  const record = Buffer.from(payload.subarray(info.dataOffset, info.dataOffset + info.dataLength));
  let codec: VideoCodecName;
  if (info.codec === 'avc') codec = detectDecoderConfigRecord(record) === 'hevc' ? 'hevc' : 'avc';
  else if (info.codec === 'hevc' || info.codec === 'av1') codec = info.codec;
  else return undefined;
  const width = info.config?.width ?? fallback?.width ?? 0;
  const height = info.config?.height ?? fallback?.height ?? 0;
  return { kind: 'video', codec, record, width, height, timescale: VIDEO_TIMESCALE };
}

/** The audio track a sequence header describes, or undefined for codecs not carried (MP3, Speex...). */
export function audioTrackFromSequenceHeader(payload: Buffer): AudioTrack | undefined {
  const info = parseAudioTag(payload);
  if (!info.isSequenceHeader) throw new HlsError('NOT_A_SEQUENCE_HEADER', 'audio tag is not a sequence header');
  const config = Buffer.from(payload.subarray(info.dataOffset, info.dataOffset + info.dataLength));
  if (info.codec === 'aac') {
    const asc: AudioSpecificConfig | undefined = info.aacConfig;
    if (asc === undefined || asc.sampleRate === 0) throw new HlsError('BAD_CODEC_CONFIG', 'unreadable AAC AudioSpecificConfig');
    // The track clock is the core rate: an HE-AAC frame is 1024 core samples (2048 at the SBR rate).
    return { kind: 'audio', codec: 'aac', config, sampleRate: asc.sampleRate, channels: asc.channels ?? 2, timescale: asc.sampleRate, frameSamples: 1024 };
  }
  if (info.codec === 'opus') {
    if (config.length < 19 || config.toString('latin1', 0, 8) !== 'OpusHead') throw new HlsError('BAD_CODEC_CONFIG', 'Opus sequence start without an OpusHead');
    return { kind: 'audio', codec: 'opus', config, sampleRate: 48_000, channels: config[9]!, timescale: 48_000, frameSamples: undefined };
  }
  return undefined;
}

/** Two descriptions produce the same init segment bytes. */
export function sameTrack(a: MediaTrack | undefined, b: MediaTrack | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind || a.codec !== b.codec) return false;
  if (a.kind === 'video' && b.kind === 'video') return a.record.equals(b.record) && a.width === b.width && a.height === b.height;
  return a.kind === 'audio' && b.kind === 'audio' && a.config.equals(b.config);
}

/** Opus frame duration in 48 kHz samples from the TOC byte (RFC 6716 3.1), times the frame count. */
export function opusPacketSamples(packet: Uint8Array): number | undefined {
  if (packet.length < 1) return undefined;
  const toc = packet[0]!;
  const config = toc >>> 3;
  let frameSamples: number;
  if (config < 12) frameSamples = [480, 960, 1920, 2880][config & 3]!; // SILK: 10/20/40/60 ms
  else if (config < 16) frameSamples = (config & 1) === 0 ? 480 : 960; // hybrid: 10/20 ms
  else frameSamples = [120, 240, 480, 960][config & 3]!; // CELT: 2.5/5/10/20 ms
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    if (packet.length < 2) return undefined;
    frames = packet[1]! & 0x3f;
  }
  return frameSamples * frames;
}

export type VideoCodec =
  | 'avc'
  | 'hevc'
  | 'av1'
  | 'vp9'
  | 'vp8'
  | 'vvc'
  | 'h263'
  | 'screen'
  | 'vp6'
  | 'vp6a'
  | 'screen2'
  | 'jpeg'
  | 'unknown';

export type AudioCodec =
  | 'pcm'
  | 'adpcm'
  | 'mp3'
  | 'nellymoser'
  | 'g711a'
  | 'g711u'
  | 'aac'
  | 'speex'
  | 'opus'
  | 'flac'
  | 'ac3'
  | 'eac3'
  | 'device'
  | 'none'
  | 'unknown';

/** Enhanced RTMP video FourCCs. */
export const VideoFourCc = { Avc: 'avc1', Hevc: 'hvc1', Av1: 'av01', Vp9: 'vp09', Vp8: 'vp08', Vvc: 'vvc1' } as const;
/** Enhanced RTMP audio FourCCs. */
export const AudioFourCc = { Opus: 'Opus', Flac: 'fLaC', Ac3: 'ac-3', Eac3: 'ec-3', Mp3: '.mp3', Aac: 'mp4a' } as const;

const VIDEO_BY_FOURCC: Readonly<Record<string, VideoCodec>> = {
  avc1: 'avc',
  hvc1: 'hevc',
  av01: 'av1',
  vp09: 'vp9',
  vp08: 'vp8',
  vvc1: 'vvc',
};

const AUDIO_BY_FOURCC: Readonly<Record<string, AudioCodec>> = {
  Opus: 'opus',
  fLaC: 'flac',
  'ac-3': 'ac3',
  'ec-3': 'eac3',
  '.mp3': 'mp3',
  mp4a: 'aac',
};

/** Legacy FLV CodecID (4 bits). 12 (HEVC) is the widespread pre-Enhanced-RTMP extension. */
const VIDEO_BY_CODEC_ID: readonly VideoCodec[] = [
  'unknown',
  'jpeg',
  'h263',
  'screen',
  'vp6',
  'vp6a',
  'screen2',
  'avc',
  'unknown',
  'unknown',
  'unknown',
  'unknown',
  'hevc',
  'unknown',
  'unknown',
  'unknown',
];

/** Legacy FLV SoundFormat (4 bits); 9 is the Enhanced RTMP ExHeader escape. */
const AUDIO_BY_SOUND_FORMAT: readonly AudioCodec[] = [
  'pcm',
  'adpcm',
  'mp3',
  'pcm',
  'nellymoser',
  'nellymoser',
  'nellymoser',
  'g711a',
  'g711u',
  'unknown',
  'aac',
  'speex',
  'unknown',
  'unknown',
  'mp3',
  'device',
];

export function videoCodecFromFourCc(fourCc: string): VideoCodec {
  return Object.prototype.hasOwnProperty.call(VIDEO_BY_FOURCC, fourCc) ? VIDEO_BY_FOURCC[fourCc]! : 'unknown';
}

export function audioCodecFromFourCc(fourCc: string): AudioCodec {
  return Object.prototype.hasOwnProperty.call(AUDIO_BY_FOURCC, fourCc) ? AUDIO_BY_FOURCC[fourCc]! : 'unknown';
}

export function videoCodecFromCodecId(codecId: number): VideoCodec {
  return VIDEO_BY_CODEC_ID[codecId & 0x0f]!;
}

export function audioCodecFromSoundFormat(soundFormat: number): AudioCodec {
  return AUDIO_BY_SOUND_FORMAT[soundFormat & 0x0f]!;
}

/** The FourCC as a big-endian 32-bit number, as onMetaData carries it (hvc1 = 1752589105). */
export function fourCcToNumber(fourCc: string): number {
  return Buffer.from(fourCc, 'latin1').readUInt32BE(0);
}

export function numberToFourCc(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b.toString('latin1');
}

/**
 * Codec named by onMetaData videocodecid / audiocodecid: a legacy id (7 =
 * AVC), a FourCC packed in a number (Enhanced RTMP), or a FourCC string
 * (FMLE wrote 'avc1'). Undefined when it names nothing we know.
 */
export function codecFromMetadataId(id: unknown, kind: 'video' | 'audio' = 'video'): VideoCodec | AudioCodec | undefined {
  let fourCc: string | undefined;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0) {
    if (id < 16) {
      const codec = kind === 'video' ? videoCodecFromCodecId(id) : audioCodecFromSoundFormat(id);
      return codec === 'unknown' ? undefined : codec;
    }
    if (id > 0xffffffff) return undefined;
    fourCc = numberToFourCc(id);
  } else if (typeof id === 'string' && id.length === 4) {
    fourCc = id;
  } else {
    return undefined;
  }
  const codec = kind === 'video' ? videoCodecFromFourCc(fourCc) : audioCodecFromFourCc(fourCc);
  return codec === 'unknown' ? undefined : codec;
}

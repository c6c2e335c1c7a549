import { BitReader } from './BitReader.js';

export interface AudioSpecificConfig {
  /** MPEG-4 audio object type (2 = AAC LC, 5 = SBR/HE-AAC, 29 = PS/HE-AACv2) as signalled first */
  objectType: number;
  /** core object type when the config signals SBR/PS explicitly */
  coreObjectType: number;
  sampleRate: number;
  /** output sample rate of an explicitly signalled SBR extension */
  extensionSampleRate?: number;
  /** channel count (undefined when channelConfiguration 0 defers to a program config element) */
  channels?: number;
  channelConfiguration: number;
}

export const MPEG4_SAMPLE_RATES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

function readObjectType(br: BitReader): number {
  const t = br.bits(5);
  return t === 31 ? 32 + br.bits(6) : t;
}

function readSampleRate(br: BitReader): number {
  const index = br.bits(4);
  if (index === 15) return br.bits(24);
  return MPEG4_SAMPLE_RATES[index] ?? 0;
}

/** Parses an MPEG-4 AudioSpecificConfig (ISO 14496-3 1.6.2.1); undefined when truncated. */
export function parseAudioSpecificConfig(buf: Uint8Array): AudioSpecificConfig | undefined {
  try {
    const br = new BitReader(buf);
    const objectType = readObjectType(br);
    const sampleRate = readSampleRate(br);
    const channelConfiguration = br.bits(4);
    const config: AudioSpecificConfig = { objectType, coreObjectType: objectType, sampleRate, channelConfiguration };
    if (channelConfiguration >= 1 && channelConfiguration <= 6) config.channels = channelConfiguration;
    else if (channelConfiguration === 7) config.channels = 8;
    if (objectType === 5 || objectType === 29) {
      config.extensionSampleRate = readSampleRate(br);
      config.coreObjectType = readObjectType(br);
    }
    return config;
  } catch {
    return undefined;
  }
}

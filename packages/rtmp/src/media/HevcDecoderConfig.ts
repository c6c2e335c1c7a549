import { BitReader, unescapeRbsp } from './BitReader.js';
import type { VideoDimensions } from './AvcDecoderConfig.js';

export interface HevcDecoderConfig {
  profileSpace: number;
  tier: number;
  profile: number;
  level: number;
  chromaFormat: number;
  bitDepth: number;
  nalLengthSize: number;
  vps: Buffer[];
  sps: Buffer[];
  pps: Buffer[];
  width?: number;
  height?: number;
}

const NAL_VPS = 32;
const NAL_SPS = 33;
const NAL_PPS = 34;

/** Reads the display size from an H.265 SPS NAL unit (with its 2-byte header). Throws on truncation. */
export function parseHevcSps(nal: Uint8Array): VideoDimensions {
  const br = new BitReader(unescapeRbsp(nal), 2);
  br.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = br.bits(3);
  br.skip(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, maxSubLayersMinus1): general part is 88 bits + level
  br.skip(96);
  const profilePresent: number[] = [];
  const levelPresent: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(br.bit());
    levelPresent.push(br.bit());
  }
  if (maxSubLayersMinus1 > 0) br.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) br.skip(88);
    if (levelPresent[i]) br.skip(8);
  }
  br.ue(); // sps_seq_parameter_set_id
  const chromaFormat = br.ue();
  let separateColourPlane = 0;
  if (chromaFormat === 3) separateColourPlane = br.bit();
  let width = br.ue();
  let height = br.ue();
  if (br.bit()) {
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const left = br.ue();
    const right = br.ue();
    const top = br.ue();
    const bottom = br.ue();
    width -= subWidthC * (left + right);
    height -= subHeightC * (top + bottom);
  }
  return { width, height };
}

/** Parses an HEVCDecoderConfigurationRecord (ISO 14496-15 8.3.3.1); undefined when truncated. */
export function parseHevcDecoderConfig(buf: Buffer): HevcDecoderConfig | undefined {
  if (buf.length < 23) return undefined;
  const config: HevcDecoderConfig = {
    profileSpace: buf[1]! >>> 6,
    tier: (buf[1]! >>> 5) & 1,
    profile: buf[1]! & 0x1f,
    level: buf[12]!,
    chromaFormat: buf[16]! & 0x03,
    bitDepth: (buf[17]! & 0x07) + 8,
    nalLengthSize: (buf[21]! & 0x03) + 1,
    vps: [],
    sps: [],
    pps: [],
  };
  const numArrays = buf[22]!;
  let pos = 23;
  for (let a = 0; a < numArrays; a++) {
    if (pos + 3 > buf.length) break;
    const nalType = buf[pos]! & 0x3f;
    const numNalus = buf.readUInt16BE(pos + 1);
    pos += 3;
    for (let i = 0; i < numNalus; i++) {
      if (pos + 2 > buf.length) break;
      const len = buf.readUInt16BE(pos);
      pos += 2;
      if (pos + len > buf.length) {
        pos = buf.length;
        break;
      }
      const nal = buf.subarray(pos, pos + len);
      pos += len;
      if (nalType === NAL_VPS) config.vps.push(nal);
      else if (nalType === NAL_SPS) config.sps.push(nal);
      else if (nalType === NAL_PPS) config.pps.push(nal);
    }
  }
  const sps = config.sps[0];
  if (sps !== undefined) {
    try {
      Object.assign(config, parseHevcSps(sps));
    } catch {
      // size stays unknown
    }
  }
  return config;
}

import { BitReader, unescapeRbsp } from './BitReader.js';

export interface VideoDimensions {
  width: number;
  height: number;
}

export interface AvcDecoderConfig {
  profile: number;
  profileCompatibility: number;
  level: number;
  /** NAL unit length field size in bytes (1, 2 or 4) */
  nalLengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
  /** display size from the first SPS (after cropping), when it could be read */
  width?: number;
  height?: number;
  chromaFormat?: number;
  bitDepth?: number;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(br: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + br.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Reads the coded picture size from an H.264 SPS NAL unit (with its 1-byte header). Throws on truncation. */
export function parseAvcSps(nal: Uint8Array): VideoDimensions & { chromaFormat: number; bitDepth: number } {
  const rbsp = unescapeRbsp(nal);
  const br = new BitReader(rbsp, 1);
  const profile = br.bits(8);
  br.skip(16); // constraint flags, level
  br.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlane = 0;
  let bitDepth = 8;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = br.ue();
    if (chromaFormat === 3) separateColourPlane = br.bit();
    bitDepth = br.ue() + 8;
    br.ue(); // bit_depth_chroma_minus8
    br.bit(); // qpprime_y_zero_transform_bypass_flag
    if (br.bit()) {
      const lists = chromaFormat === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (br.bit()) skipScalingList(br, i < 6 ? 16 : 64);
    }
  }
  br.ue(); // log2_max_frame_num_minus4
  const pocType = br.ue();
  if (pocType === 0) {
    br.ue();
  } else if (pocType === 1) {
    br.bit();
    br.se();
    br.se();
    const cycle = br.ue();
    if (cycle > 255) throw new RangeError('num_ref_frames_in_pic_order_cnt_cycle out of range');
    for (let i = 0; i < cycle; i++) br.se();
  }
  br.ue(); // max_num_ref_frames
  br.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = br.ue() + 1;
  const heightMapUnits = br.ue() + 1;
  const frameMbsOnly = br.bit();
  if (!frameMbsOnly) br.bit(); // mb_adaptive_frame_field_flag
  br.bit(); // direct_8x8_inference_flag
  let cropLeft = 0;
  let cropRight = 0;
  let cropTop = 0;
  let cropBottom = 0;
  if (br.bit()) {
    cropLeft = br.ue();
    cropRight = br.ue();
    cropTop = br.ue();
    cropBottom = br.ue();
  }
  const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (2 - frameMbsOnly);
  return {
    width: widthMbs * 16 - cropUnitX * (cropLeft + cropRight),
    height: (2 - frameMbsOnly) * heightMapUnits * 16 - cropUnitY * (cropTop + cropBottom),
    chromaFormat,
    bitDepth,
  };
}

/**
 * Parses an AVCDecoderConfigurationRecord (ISO 14496-15 5.2.4.1). Returns
 * undefined when the record itself is truncated; the picture size is left
 * out when only the SPS cannot be read.
 */
export function parseAvcDecoderConfig(buf: Buffer): AvcDecoderConfig | undefined {
  if (buf.length < 7) return undefined;
  const config: AvcDecoderConfig = {
    profile: buf[1]!,
    profileCompatibility: buf[2]!,
    level: buf[3]!,
    nalLengthSize: (buf[4]! & 0x03) + 1,
    sps: [],
    pps: [],
  };
  let pos = 5;
  const numSps = buf[pos++]! & 0x1f;
  for (let i = 0; i < numSps; i++) {
    if (pos + 2 > buf.length) return undefined;
    const len = buf.readUInt16BE(pos);
    pos += 2;
    if (pos + len > buf.length) return undefined;
    config.sps.push(buf.subarray(pos, pos + len));
    pos += len;
  }
  if (pos < buf.length) {
    const numPps = buf[pos++]!;
    for (let i = 0; i < numPps; i++) {
      if (pos + 2 > buf.length) break;
      const len = buf.readUInt16BE(pos);
      pos += 2;
      if (pos + len > buf.length) break;
      config.pps.push(buf.subarray(pos, pos + len));
      pos += len;
    }
  }
  const sps = config.sps[0];
  if (sps !== undefined && sps.length > 1) {
    try {
      Object.assign(config, parseAvcSps(sps));
    } catch {
      // size stays unknown: a damaged SPS must not fail the stream
    }
  }
  return config;
}

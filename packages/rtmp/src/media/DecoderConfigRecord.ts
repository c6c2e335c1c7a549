/**
 * Tells an AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3.1) from an
 * HEVCDecoderConfigurationRecord (8.3.3.1). Needed because old OBS forks and
 * some appliances send HEVC under the legacy AVC codec id 7, and the sequence
 * header is the only tag whose bytes can tell.
 *
 * Both records start with configurationVersion 1, so the decision rests on
 * structure: a record counts as AVC when its SPS/PPS lists walk cleanly and
 * carry H.264 SPS (type 7) / PPS (type 8) NAL units; as HEVC when its fixed
 * 23-byte header has the reserved '1' bits in place and its NAL arrays walk
 * cleanly to the end and hold an H.265 SPS (type 33) whose NAL header agrees
 * with the array. AVC is tried first: a real H.264 record never has to be
 * guessed, and a record that is neither stays what the codec id says.
 */
export function detectDecoderConfigRecord(record: Uint8Array): 'avc' | 'hevc' | undefined {
  if (record.length < 7 || record[0] !== 1) return undefined;
  if (isAvcRecord(record)) return 'avc';
  if (isHevcRecord(record)) return 'hevc';
  return undefined;
}

const AVC_NAL_SPS = 7;
const AVC_NAL_PPS = 8;
const HEVC_NAL_SPS = 33;
/** HEVC NAL unit types a parameter-set array may carry: VPS, SPS, PPS, prefix/suffix SEI. */
const HEVC_ARRAY_TYPES = new Set([32, 33, 34, 39, 40]);

/** Walks `count` [length UI16][NAL] entries; the end offset, or -1 when one overruns or has the wrong H.264 type. */
function walkAvcNals(r: Uint8Array, pos: number, count: number, nalType: number): number {
  for (let i = 0; i < count; i++) {
    if (pos + 2 > r.length) return -1;
    const len = (r[pos]! << 8) | r[pos + 1]!;
    pos += 2;
    // forbidden_zero_bit clear and the expected nal_unit_type
    if (len === 0 || pos + len > r.length || (r[pos]! & 0x80) !== 0 || (r[pos]! & 0x1f) !== nalType) return -1;
    pos += len;
  }
  return pos;
}

function isAvcRecord(r: Uint8Array): boolean {
  const numSps = r[5]! & 0x1f;
  if (numSps === 0) return false;
  const afterSps = walkAvcNals(r, 6, numSps, AVC_NAL_SPS);
  if (afterSps < 0 || afterSps >= r.length) return false;
  return walkAvcNals(r, afterSps + 1, r[afterSps]!, AVC_NAL_PPS) >= 0;
}

function isHevcRecord(r: Uint8Array): boolean {
  if (r.length < 23) return false;
  // reserved bits before min_spatial_segmentation_idc, parallelismType, chromaFormat, bitDepthLuma/ChromaMinus8
  if ((r[13]! & 0xf0) !== 0xf0 || (r[15]! & 0xfc) !== 0xfc || (r[16]! & 0xfc) !== 0xfc) return false;
  if ((r[17]! & 0xf8) !== 0xf8 || (r[18]! & 0xf8) !== 0xf8) return false;
  const numArrays = r[22]!;
  let pos = 23;
  let sawSps = false;
  for (let a = 0; a < numArrays; a++) {
    if (pos + 3 > r.length) return false;
    const arrayType = r[pos]! & 0x3f;
    if (!HEVC_ARRAY_TYPES.has(arrayType)) return false;
    const numNalus = (r[pos + 1]! << 8) | r[pos + 2]!;
    pos += 3;
    for (let i = 0; i < numNalus; i++) {
      if (pos + 2 > r.length) return false;
      const len = (r[pos]! << 8) | r[pos + 1]!;
      pos += 2;
      // a 2-byte NAL header whose forbidden_zero_bit is clear and whose type is the array's
      if (len < 2 || pos + len > r.length || (r[pos]! & 0x80) !== 0 || ((r[pos]! >>> 1) & 0x3f) !== arrayType) return false;
      pos += len;
    }
    if (arrayType === HEVC_NAL_SPS && numNalus > 0) sawSps = true;
  }
  return sawSps && pos === r.length;
}

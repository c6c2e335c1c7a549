/**
 * HEVC video and Opus audio as Enhanced RTMP tags (hvc1, Opus), for the E-RTMP HLS tests: ffmpeg encodes HEVC
 * with libx265 (no B-frames, an access unit delimiter before each picture, a keyframe every second) into MP4
 * (for its hvcC record), then copies it out as an Annex B stream; this file splits the Annex B stream into access units and writes
 * them length-prefixed in hvc1 CodedFramesX tags (composition time 0, as there are no B-frames).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { boxContent, exTag, ffmpeg, makeOpusOgg, oggPackets, type Av1OpusMedia, type ErtmpTag } from './av1OpusMedia.js';

/** the same shape as the AV1 media: the E-RTMP publisher sends either */
export type HevcOpusMedia = Av1OpusMedia;

const NAL_AUD = 35;
/** IDR_W_RADL, IDR_N_LP, CRA: pictures a decoder can start at */
const RANDOM_ACCESS = new Set([19, 20, 21]);

/** smptebars 320x240 25 fps + 1 kHz sine, `seconds` long. */
export async function makeHevcOpus(dir: string, seconds = 4): Promise<HevcOpusMedia> {
  await mkdir(dir, { recursive: true });
  const annexB = path.join(dir, `bars_${seconds}s.hevc`);
  const mp4 = path.join(dir, `bars_${seconds}s_hevc.mp4`);
  const ogg = path.join(dir, `sine_${seconds}s.ogg`);
  if (!existsSync(annexB) || !existsSync(mp4)) {
    await ffmpeg([
      '-f', 'lavfi', '-i', 'smptebars=size=320x240:rate=25', '-t', String(seconds), '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-x265-params', 'bframes=0:keyint=25:min-keyint=25:scenecut=0:aud=1:log-level=error', '-tag:v', 'hvc1', mp4,
    ]);
    await ffmpeg(['-i', mp4, '-c', 'copy', '-bsf:v', 'hevc_mp4toannexb', '-f', 'hevc', annexB]);
  }
  await makeOpusOgg(ogg, seconds);
  const hvcC = boxContent(await readFile(mp4), 'hvcC');
  const units = accessUnits(await readFile(annexB));
  const opus = oggPackets(await readFile(ogg));
  const frames: ErtmpTag[] = [];
  units.forEach((nals, i) => {
    // parameter sets travel in the hvcC record; the frames carry the picture's slices
    const picture = nals.filter((n) => { const t = (n[0]! >> 1) & 0x3f; return t < 32 || t > 34; }).filter((n) => ((n[0]! >> 1) & 0x3f) !== NAL_AUD);
    const keyframe = picture.some((n) => RANDOM_ACCESS.has((n[0]! >> 1) & 0x3f));
    const body = Buffer.concat(picture.flatMap((n) => [u32(n.length), n]));
    frames.push({ kind: 'video', timestamp: i * 40, keyframe, payload: exTag(0x80, keyframe ? 1 : 2, 3, 'hvc1', body) });
  });
  opus.slice(2).forEach((p, i) => frames.push({ kind: 'audio', timestamp: i * 20, keyframe: false, payload: exTag(0x90, 0, 1, 'Opus', p) }));
  frames.sort((a, b) => a.timestamp - b.timestamp || (a.kind === 'video' ? -1 : 1));
  return {
    videoConfig: exTag(0x80, 1, 0, 'hvc1', hvcC),
    audioConfig: exTag(0x90, 0, 0, 'Opus', opus[0]!),
    frames,
    durationMs: Math.max(units.length * 40, (opus.length - 2) * 20),
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Annex B -> NAL units grouped into access units (each starts with an access unit delimiter). */
function accessUnits(stream: Buffer): Buffer[][] {
  const nals: Buffer[] = [];
  let start = -1;
  for (let i = 0; i + 3 <= stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      if (start >= 0) nals.push(trimZeros(stream.subarray(start, i)));
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0) nals.push(stream.subarray(start));
  const units: Buffer[][] = [];
  for (const n of nals) {
    if (((n[0]! >> 1) & 0x3f) === NAL_AUD || units.length === 0) units.push([]);
    units[units.length - 1]!.push(n);
  }
  return units.filter((u) => u.some((n) => ((n[0]! >> 1) & 0x3f) < 32));
}

/** a 4-byte start code leaves a zero at the end of the NAL before it */
function trimZeros(nal: Buffer): Buffer {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
}

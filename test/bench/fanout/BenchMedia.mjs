// The publisher's source: a real H.264 + AAC FLV made by ffmpeg (cached across runs),
// read into a list of tags the publisher replays in real time.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MEDIA_DIR = path.join(os.tmpdir(), 'rtmp-cluster-media');
const FFMPEG_TIMEOUT_MS = 180_000;

export const FlvTagType = { Audio: 8, Video: 9, Script: 18 };

/**
 * 1280x720 30 fps H.264 (CBR 2000k, GOP 30, no B-frames) + AAC 128k.
 * Temporal noise over testsrc2 keeps the encoder from undershooting the bitrate,
 * so frames have the sizes a camera stream would have.
 */
export async function makeBenchFlv(seconds = 10) {
  await mkdir(MEDIA_DIR, { recursive: true });
  const target = path.join(MEDIA_DIR, `bench_fanout_${seconds}s_1280x720_30fps_cbr2000k_gop30.flv`);
  try {
    if ((await stat(target)).size > 0) return target;
  } catch {
    // not cached yet
  }
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.flv`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
    '-t', String(seconds),
    '-vf', 'noise=alls=12:allf=t',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-bf', '0', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
    '-b:v', '2000k', '-minrate', '2000k', '-maxrate', '2000k', '-bufsize', '2000k',
    '-x264-params', 'nal-hrd=cbr:force-cfr=1',
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-f', 'flv', temp,
  ];
  try {
    await new Promise((resolve, reject) => {
      execFile('ffmpeg', args, { timeout: FFMPEG_TIMEOUT_MS }, (err, _out, stderr) => {
        if (err) reject(new Error(`ffmpeg failed: ${err.message}\n${String(stderr).slice(-2000)}`));
        else resolve();
      });
    });
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return target;
}

/**
 * Reads every tag of an FLV file. Returns { tags: [{ type, timestamp, data }], durationMs },
 * durationMs being where a replay loop should continue (last video timestamp + one frame).
 */
export async function readFlvTags(file) {
  const buf = await readFile(file);
  if (buf.length < 13 || buf.toString('latin1', 0, 3) !== 'FLV') throw new Error(`${file}: not an FLV file`);
  let p = buf.readUInt32BE(5) + 4; // header, then PreviousTagSize0
  const tags = [];
  let lastVideo = 0;
  let videoFrames = 0;
  while (p + 11 <= buf.length) {
    const type = buf[p] & 0x1f;
    const size = buf.readUIntBE(p + 1, 3);
    const timestamp = (buf.readUIntBE(p + 4, 3) | (buf[p + 7] << 24)) >>> 0;
    const start = p + 11;
    if (start + size > buf.length) break; // truncated tail
    tags.push({ type, timestamp, data: buf.subarray(start, start + size) });
    if (type === FlvTagType.Video) {
      lastVideo = timestamp;
      videoFrames++;
    }
    p = start + size + 4;
  }
  if (videoFrames < 2) throw new Error(`${file}: too few video frames`);
  const frameMs = lastVideo / (videoFrames - 1);
  return { tags, durationMs: Math.round(lastVideo + frameMs) };
}

/** AVC or AAC sequence header (codec config), which a replay loop must not repeat. */
export function isSequenceHeaderTag(tag) {
  if (tag.type === FlvTagType.Video) return tag.data.length > 1 && (tag.data[0] & 0x0f) === 7 && tag.data[1] === 0;
  if (tag.type === FlvTagType.Audio) return tag.data.length > 1 && tag.data[0] >> 4 === 10 && tag.data[1] === 0;
  return false;
}

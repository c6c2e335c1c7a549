/**
 * Shared test media: a short H.264 + AAC FLV generated once with ffmpeg and
 * reused by every test file (and every worker) that asks for the same options.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TestFlvOptions {
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Keyframe interval in frames (fixed: no scene-cut keyframes). */
  gop?: number;
  /**
   * The picture: 'testsrc2' (moving, default) or 'smptebars' (still colour bars at known places: the
   * browser tests check the colour of a point).
   */
  pattern?: 'testsrc2' | 'smptebars';
}

/** Where generated media is cached across test files and runs. */
export const TEST_MEDIA_DIR: string = path.join(os.tmpdir(), 'rtmp-cluster-media');

const FFMPEG_TIMEOUT_MS = 120_000;

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { timeout: FFMPEG_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`ffmpeg failed: ${err.message}\n${String(stderr).slice(-2000)}`));
      else resolve();
    });
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}

/**
 * Returns the path of an FLV with testsrc2 video (libx264 main, no B-frames,
 * fixed GOP) and a 1 kHz sine (AAC 48 kHz stereo), creating it in `dir` if it
 * is not cached there yet. Concurrent callers each write a temporary file and
 * rename it into place, so a reader never sees a half-written file.
 */
export async function makeTestFlv(dir: string = TEST_MEDIA_DIR, opts: TestFlvOptions = {}): Promise<string> {
  const seconds = opts.seconds ?? 10;
  const width = opts.width ?? 640;
  const height = opts.height ?? 360;
  const fps = opts.fps ?? 30;
  const gop = opts.gop ?? fps;
  for (const [name, value] of Object.entries({ seconds, width, height, fps, gop })) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`makeTestFlv: ${name} must be positive, got ${value}`);
  }
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError('makeTestFlv: width and height must be even (yuv420p)');

  await mkdir(dir, { recursive: true });
  const pattern = opts.pattern ?? 'testsrc2';
  const tag = pattern === 'testsrc2' ? '' : `_${pattern}`;
  const target = path.join(dir, `test_${seconds}s_${width}x${height}_${fps}fps_gop${gop}${tag}.flv`);
  if (await exists(target)) return target;

  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.flv`;
  try {
    await runFfmpeg([
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', `${pattern}=size=${width}x${height}:rate=${fps}`,
      '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
      '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
      '-bf', '0', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
      '-x264-params', 'force-cfr=1',
      '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
      '-f', 'flv', temp,
    ]);
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return target;
}

/**
 * A second test source whose every frame is distinguishable from makeTestFlv's H.264 + AAC: Sorenson H.263
 * video (FLV codec id 2) and MP3 audio (FLV sound format 2). A player can tell per message which publisher
 * it came from.
 */
import { execFile } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { TEST_MEDIA_DIR } from '../../support/media.js';

export const CODEC_AVC = 7;
export const CODEC_H263 = 2;
export const SOUND_AAC = 10;
export const SOUND_MP3 = 2;

export async function makeH263Mp3Flv(seconds = 6): Promise<string> {
  mkdirSync(TEST_MEDIA_DIR, { recursive: true });
  const target = path.join(TEST_MEDIA_DIR, `marked_h263_mp3_${seconds}s.flv`);
  try {
    if ((await stat(target)).size > 0) return target;
  } catch {
    // not cached yet
  }
  const temp = `${target}.${process.pid}.tmp.flv`;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'ffmpeg',
      [
        '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
        '-f', 'lavfi', '-i', 'testsrc=size=176x144:rate=25',
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
        '-t', String(seconds), '-c:v', 'flv', '-g', '25', '-q:v', '5', '-c:a', 'libmp3lame', '-b:a', '64k', '-ar', '44100',
        '-f', 'flv', temp,
      ],
      { timeout: 60_000 },
      (err, _o, stderr) => (err ? reject(new Error(`ffmpeg failed: ${err.message}\n${String(stderr)}`)) : resolve()),
    );
  });
  await rename(temp, target);
  await rm(temp, { force: true });
  return target;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Real clients' sessions recorded against nginx-rtmp (see fixtures/captures/README.md). */
export const CAPTURE_NAMES = ['ffmpeg-publish', 'ffprobe-play', 'rtmpdump-play', 'gst-rtmp2sink-publish', 'gst-rtmp2src-play'] as const;

const CAPTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'captures');

/** The bytes one side sent: 'c2s' (client to server, handshake included) or 's2c'. */
export function readCapture(name: string, direction: 'c2s' | 's2c'): Buffer {
  return readFileSync(path.join(CAPTURES_DIR, `${name}.${direction}.bin`));
}

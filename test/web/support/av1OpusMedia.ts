/**
 * AV1 video and Opus audio as Enhanced RTMP tags, for the E-RTMP tests: ffmpeg (which cannot publish E-RTMP
 * in Debian's 5.1) encodes raw AV1 into IVF and Opus into Ogg; this file reads those containers and builds
 * the tags: av01 SequenceStart with the AV1CodecConfigurationRecord (taken from an MP4 remux) and
 * CodedFrames per temporal unit, Opus SequenceStart with OpusHead and CodedFrames per packet.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ErtmpTag {
  kind: 'audio' | 'video';
  timestamp: number;
  payload: Buffer;
  keyframe: boolean;
}

export interface Av1OpusMedia {
  videoConfig: Buffer;
  audioConfig: Buffer;
  /** frames of both tracks in timestamp order, one pass of the media */
  frames: ErtmpTag[];
  durationMs: number;
}

export const ffmpeg = (args: string[]): Promise<unknown> => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { timeout: 120_000 });

/** smptebars + 1 kHz sine, `seconds` long, 25 fps, a keyframe every second. */
export async function makeAv1Opus(dir: string, seconds = 4): Promise<Av1OpusMedia> {
  await mkdir(dir, { recursive: true });
  const ivf = path.join(dir, `bars_${seconds}s.ivf`);
  const mp4 = path.join(dir, `bars_${seconds}s_av1.mp4`);
  const ogg = path.join(dir, `sine_${seconds}s.ogg`);
  if (!existsSync(ivf) || !existsSync(mp4)) {
    await ffmpeg(['-f', 'lavfi', '-i', 'smptebars=size=320x240:rate=25', '-t', String(seconds), '-c:v', 'libsvtav1', '-preset', '12', '-g', '25', '-svtav1-params', 'pred-struct=1', '-pix_fmt', 'yuv420p', '-f', 'ivf', ivf]);
    await ffmpeg(['-i', ivf, '-c', 'copy', mp4]);
  }
  await makeOpusOgg(ogg, seconds);
  const av1c = boxContent(await readFile(mp4), 'av1C');
  const video = ivfFrames(await readFile(ivf));
  const opus = oggPackets(await readFile(ogg));
  const head = opus[0]!;
  if (head.toString('latin1', 0, 8) !== 'OpusHead') throw new Error('Ogg stream does not start with OpusHead');
  const frames: ErtmpTag[] = [];
  video.forEach((tu, i) => {
    const keyframe = tu.some((o) => o.type === 1);
    const data = Buffer.concat(tu.filter((o) => o.type !== 2).map((o) => o.bytes));
    frames.push({ kind: 'video', timestamp: i * 40, keyframe, payload: exTag(0x80, keyframe ? 1 : 2, 1, 'av01', data) });
  });
  opus.slice(2).forEach((p, i) => frames.push({ kind: 'audio', timestamp: i * 20, keyframe: false, payload: exTag(0x90, 0, 1, 'Opus', p) }));
  frames.sort((a, b) => a.timestamp - b.timestamp || (a.kind === 'video' ? -1 : 1));
  return {
    videoConfig: exTag(0x80, 1, 0, 'av01', av1c),
    audioConfig: exTag(0x90, 0, 0, 'Opus', head),
    frames,
    durationMs: Math.max(video.length * 40, (opus.length - 2) * 20),
  };
}

/** a 1 kHz sine, stereo 48 kHz, as Opus in Ogg with 20 ms packets (made once) */
export async function makeOpusOgg(ogg: string, seconds: number): Promise<void> {
  if (existsSync(ogg)) return;
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000', '-ac', '2', '-t', String(seconds), '-c:a', 'libopus', '-b:a', '64k', '-frame_duration', '20', '-f', 'ogg', ogg]);
}

/** ExHeader byte (video: 0x80 | frameType << 4 | packetType; audio: 0x90 | packetType), FourCC, body */
export function exTag(base: number, frameType: number, packetType: number, fourcc: string, body: Buffer): Buffer {
  const b0 = base === 0x80 ? 0x80 | (frameType << 4) | packetType : 0x90 | packetType;
  return Buffer.concat([Buffer.from([b0]), Buffer.from(fourcc, 'latin1'), body]);
}

export function boxContent(file: Buffer, type: string): Buffer {
  const at = file.indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`no ${type} box`);
  const size = file.readUInt32BE(at - 4);
  return file.subarray(at + 4, at - 4 + size);
}

interface Obu {
  type: number;
  bytes: Buffer;
}

function leb128(b: Buffer, pos: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[pos + i]!;
    v += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [v, i + 1];
  }
  throw new Error('leb128 too long');
}

/** IVF: 32-byte header, then per frame a 12-byte header (u32le size, u64le pts) and the temporal unit. */
function ivfFrames(file: Buffer): Obu[][] {
  if (file.toString('latin1', 0, 4) !== 'DKIF') throw new Error('not IVF');
  const out: Obu[][] = [];
  let pos = file.readUInt16LE(6);
  while (pos + 12 <= file.length) {
    const size = file.readUInt32LE(pos);
    const tu = file.subarray(pos + 12, pos + 12 + size);
    const obus: Obu[] = [];
    let p = 0;
    while (p < tu.length) {
      const h = tu[p]!;
      const ext = (h & 0x04) !== 0 ? 1 : 0;
      if ((h & 0x02) === 0) throw new Error('OBU without size field');
      const [len, n] = leb128(tu, p + 1 + ext);
      const end = p + 1 + ext + n + len;
      obus.push({ type: (h >> 3) & 0x0f, bytes: tu.subarray(p, end) });
      p = end;
    }
    out.push(obus);
    pos += 12 + size;
  }
  return out;
}

/** Ogg pages ('OggS', 27-byte header, lacing table) -> packets (lacing values of 255 continue a packet). */
export function oggPackets(file: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  let pos = 0;
  while (pos + 27 <= file.length) {
    if (file.toString('latin1', pos, pos + 4) !== 'OggS') throw new Error(`no Ogg page at ${pos}`);
    const segments = file[pos + 26]!;
    const table = file.subarray(pos + 27, pos + 27 + segments);
    let body = pos + 27 + segments;
    for (const lace of table) {
      partial.push(file.subarray(body, body + lace));
      body += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    pos = body;
  }
  return packets;
}

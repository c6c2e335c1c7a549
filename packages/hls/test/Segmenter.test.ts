import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtmpMessage } from '@rtmp-cluster/rtmp';
import { makeTestFlv } from '../../../test/support/media.js';
import { MediaWindow, RtmpIngest, Segmenter, resolveSegmentation, type TimelineAnchor } from '../src/index.js';
import { boxes, find, findAll } from './support/boxes.js';
import { readFlvMessages } from '../../../test/support/flvFile.js';

const run = promisify(execFile);
const ANCHOR: TimelineAnchor = { epoch: 7, startedAtMs: 1_764_000_000_000, originTs: 0 };
const MSN_BASE = ANCHOR.startedAtMs / 1000;

function mux(messages: readonly RtmpMessage[], maxSegments = 40): MediaWindow {
  const window = new MediaWindow({ maxSegments });
  const segmenter = new Segmenter(resolveSegmentation({ segmentMs: 1000, partMs: 200 }), window);
  segmenter.setAnchor(ANCHOR);
  const ingest = new RtmpIngest(segmenter);
  for (const m of messages) ingest.push(m.type === 9 ? 'video' : m.type === 8 ? 'audio' : 'data', m.timestamp, m.payload);
  return window;
}

function isKeyframe(m: RtmpMessage): boolean {
  return m.type === 9 && m.payload[0]! >> 4 === 1 && m.payload[1] === 1;
}

function keyframeTimes(messages: readonly RtmpMessage[]): number[] {
  return messages.filter(isKeyframe).map((m) => m.timestamp);
}

/** The messages a late joiner gets: sequence headers and metadata, then everything from the keyframe at `fromMs`. */
function lateJoin(messages: readonly RtmpMessage[], fromMs: number): RtmpMessage[] {
  const config = messages.filter((m) => m.type === 18 || (m.payload[1] === 0 && (m.type === 8 || m.type === 9)));
  const keyIndex = messages.findIndex((m) => isKeyframe(m) && m.timestamp >= fromMs);
  return [...config, ...messages.slice(keyIndex)];
}

/** [first decode time, end, sample durations] of each traf by track id, in the track's timescale */
function runs(part: Buffer): Map<number, { start: number; end: number; durations: number[] }> {
  const out = new Map<number, { start: number; end: number; durations: number[] }>();
  for (const traf of findAll(part, ['moof', 'traf'])) {
    const trackId = find(traf.body, ['tfhd'])!.body.readUInt32BE(4);
    const start = Number(find(traf.body, ['tfdt'])!.body.readBigUInt64BE(4));
    const trun = find(traf.body, ['trun'])!.body;
    const stride = trackId === 1 ? 16 : 8;
    const durations: number[] = [];
    for (let i = 0; i < trun.readUInt32BE(4); i++) durations.push(trun.readUInt32BE(12 + i * stride));
    out.set(trackId, { start, end: start + durations.reduce((a, b) => a + b, 0), durations });
  }
  return out;
}

/**
 * Audio of the complete segments runs on from part to part without a gap; parts of one segment touch exactly. A
 * segment may start up to a frame before the previous one ended (where the source's own audio overlaps).
 * Returns the sample durations.
 */
function expectContinuousAudio(window: MediaWindow): number[] {
  let audioEnd: number | undefined;
  const durations: number[] = [];
  for (const seg of window.list.filter((x) => x.complete)) {
    for (const p of seg.parts) {
      const audio = runs(p.bytes).get(2);
      if (audio === undefined) continue;
      if (audioEnd !== undefined && p.index > 0) expect(audio.start, `audio of part ${p.msn}.${p.index}`).toBe(audioEnd);
      if (audioEnd !== undefined && p.index === 0) {
        expect(audio.start, `audio of part ${p.msn}.0`).toBeLessThanOrEqual(audioEnd);
        expect(audio.start, `audio of part ${p.msn}.0`).toBeGreaterThan(audioEnd - 1024);
      }
      audioEnd = audio.end;
      durations.push(...audio.durations);
    }
  }
  return durations;
}

describe('Segmenter: fMP4 parts and segments from an RTMP stream', () => {
  let dir: string;
  let messages: RtmpMessage[];
  let window: MediaWindow;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hls-seg-'));
    messages = await readFlvMessages(await makeTestFlv(undefined, { seconds: 10, gop: 30 }));
    window = mux(messages);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts one-second segments at the keyframes, numbered from the anchor, parts of at most 200 ms', () => {
    const segs = window.list.filter((s) => s.complete);
    // cell 0 is skipped (a node never knows it saw the first cell whole); the last second ends with the stream
    expect(segs.length).toBeGreaterThanOrEqual(8);
    expect(segs.map((s) => s.msn)).toEqual(segs.map((_, i) => MSN_BASE + 1 + i));
    for (const s of segs.slice(0, -1)) {
      expect(s.duration).toBeCloseTo(1, 3);
      expect(s.parts.length).toBe(5);
      expect(s.parts[0]!.independent).toBe(true);
      expect(s.parts.slice(1).every((p) => !p.independent)).toBe(true);
      for (const p of s.parts) expect(p.duration).toBeLessThanOrEqual(0.2 + 1e-9);
      // starts at the keyframe of its grid cell (ffmpeg puts video 21 ms after audio, so the keyframes sit at k s + 21 ms)
      expect(s.dateMs).toBe(ANCHOR.startedAtMs + keyframeTimes(messages).find((t) => t >= (s.msn - MSN_BASE) * 1000)!);
    }
  });

  it('writes init and fragments that ffprobe decodes: H.264 640x360 and AAC 48 kHz, every frame', async () => {
    const segs = window.list.filter((s) => s.complete);
    const init = window.init(segs[0]!.initName)!.bytes;
    const file = path.join(dir, 'all.mp4');
    await writeFile(file, Buffer.concat([init, ...segs.map((s) => window.segmentBytes(s))]));
    const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,sample_rate,channels,nb_read_frames', '-of', 'json', file]);
    const streams = (JSON.parse(stdout) as { streams: Record<string, unknown>[] }).streams;
    const v = streams.find((s) => s['codec_name'] === 'h264')!;
    const a = streams.find((s) => s['codec_name'] === 'aac')!;
    expect(v).toMatchObject({ width: 640, height: 360 });
    expect(a).toMatchObject({ sample_rate: '48000', channels: 2 });
    const seconds = segs.reduce((n, s) => n + s.duration, 0);
    expect(Number(v['nb_read_frames'])).toBe(Math.round(seconds * 30));
    // 48 kHz AAC: 46.875 frames per second
    expect(Math.abs(Number(a['nb_read_frames']) - seconds * 46.875)).toBeLessThanOrEqual(2);
  });

  it('gives each fragment a tfdt equal to its first frame time and a data offset into its own mdat', () => {
    const seg = window.list.find((s) => s.complete)!;
    const part = seg.parts[0]!.bytes;
    const top = boxes(part).map((b) => b.type);
    expect(top).toEqual(['moof', 'mdat']);
    const tfdts = findAll(part, ['moof', 'traf', 'tfdt']);
    expect(tfdts.length).toBe(2);
    const videoBase = Number(tfdts[0]!.body.readBigUInt64BE(4));
    expect(videoBase).toBe(keyframeTimes(messages).find((t) => t >= (seg.msn - MSN_BASE) * 1000)! * 90);
    const trun = find(part, ['moof', 'traf', 'trun'])!;
    const moof = find(part, ['moof'])!;
    const dataOffset = trun.body.readUInt32BE(8);
    expect(dataOffset).toBe(moof.size + 8);
    // the first sample is the keyframe's AVCC NAL units
    const firstSize = trun.body.readUInt32BE(12 + 4);
    const mdat = find(part, ['mdat'])!;
    expect(mdat.body.length).toBeGreaterThan(firstSize);
  });

  it('starts every independent part with audio that sounds at its keyframe, and audio runs on without gap or overlap', () => {
    const parts = window.list.filter((seg) => seg.complete).flatMap((seg) => seg.parts);
    let independent = 0;
    for (const p of parts) {
      const r = runs(p.bytes);
      const video = r.get(1)!;
      const audio = r.get(2);
      if (p.independent) {
        independent++;
        // ffmpeg's audio sits 21 ms off the keyframes: without the move the part's audio began up to a frame late
        expect(audio, `part ${p.msn}.${p.index}`).toBeDefined();
        expect(audio!.start / 48_000).toBeLessThanOrEqual(video.start / 90_000);
      }
    }
    expect(independent).toBeGreaterThanOrEqual(8);
    // the frames' own length, give or take the millisecond rounding where a segment's grid begins
    expect(expectContinuousAudio(window).every((d) => Math.abs(d - 1024) <= 48)).toBe(true);
  });

  it('places audio half a frame off the stream\'s frame grid, and across a looped input\'s seams, without a shared or skipped slot', () => {
    // The millisecond timestamps of AAC frames (21.33 ms) that start 11 ms into the stream round to either
    // side of a grid counted from 0; a looped input (ffmpeg -stream_loop) restarts its audio a frame early at
    // each seam, here every 3 s, so its offset against any fixed grid drifts.
    const loopMs = 3000;
    const shifted = messages.map((m) => {
      if (m.type !== 8 || m.payload[1] === 0) return m;
      const loops = Math.floor(m.timestamp / loopMs);
      return { ...m, timestamp: m.timestamp + 11 - loops * 20 };
    });
    const muxed = mux(shifted);
    const durations = expectContinuousAudio(muxed);
    expect(durations.length).toBeGreaterThan(300);
    // every frame has a slot of its own (a frame the seam overlaps moves to the next one): no frame shares a
    // slot (0) or leaves one empty (2048); off 1024 only by the rounding where a segment's grid begins
    expect(durations.every((d) => Math.abs(d - 1024) <= 48), JSON.stringify(durations.filter((d) => d !== 1024))).toBe(true);
    expect(durations.filter((d) => d !== 1024).length).toBeLessThanOrEqual(12);
    // and a node that joined late places them alike
    const late = mux(lateJoin(shifted, 4500));
    for (const s of late.list.filter((x) => x.complete)) {
      expect(late.segmentBytes(s).equals(muxed.segmentBytes(muxed.segment(s.msn)!)), `segment ${s.msn}`).toBe(true);
    }
  });

  it('numbers and writes the same bytes on a node that joined late from the GOP cache', () => {
    for (const joinAt of [3000, 4500 /* keyframe at 5000 */]) {
      const late = mux(lateJoin(messages, joinAt));
      const lateSegs = late.list.filter((s) => s.complete);
      expect(lateSegs.length).toBeGreaterThan(2);
      for (const s of lateSegs) {
        const full = window.segment(s.msn)!;
        expect(full.duration).toBe(s.duration);
        expect(late.segmentBytes(s).equals(window.segmentBytes(full))).toBe(true);
        expect(s.parts.map((p) => p.duration)).toEqual(full.parts.map((p) => p.duration));
      }
    }
  });

  it('keeps only the window of segments', () => {
    const small = mux(messages, 3);
    expect(small.list.filter((s) => s.complete).length).toBe(3);
    expect(small.list[small.list.length - 1]!.msn).toBe(window.list[window.list.length - 1]!.msn);
  });
});

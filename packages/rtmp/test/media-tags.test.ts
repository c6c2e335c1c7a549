import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RtmpError,
  codecFromMetadataId,
  decodeAmf0,
  encodeAmf0,
  fourCcToNumber,
  parseAudioSpecificConfig,
  parseAudioTag,
  parseVideoTag,
  type VideoTagInfo,
  VideoCodecTracker,
  detectDecoderConfigRecord,
} from '@rtmp-cluster/rtmp';
import { cat, h } from './support/hex.js';
import { errorCode } from './support/rtmpError.js';

const u24 = (n: number): Buffer => {
  const b = Buffer.alloc(3);
  b.writeUIntBE(n, 0, 3);
  return b;
};

/** FLV tags of a file: [type, payload] (FLV spec: 9-byte header, then PreviousTagSize + tag records). */
function flvTags(file: Buffer): Array<{ type: number; payload: Buffer }> {
  const out: Array<{ type: number; payload: Buffer }> = [];
  let pos = file.readUInt32BE(5) + 4;
  while (pos + 11 <= file.length) {
    const type = file[pos]! & 0x1f;
    const size = file.readUIntBE(pos + 1, 3);
    out.push({ type, payload: file.subarray(pos + 11, pos + 11 + size) });
    pos += 11 + size + 4;
  }
  return out;
}

/** Annex B byte stream -> NAL units. */
function annexBNals(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : stream.length;
    while (end > s && stream[end - 1] === 0) end--;
    return stream.subarray(s, end);
  });
}

/** A minimal HEVCDecoderConfigurationRecord around VPS/SPS/PPS (profile fields copied from the SPS). */
function hvcC(vps: Buffer, sps: Buffer, pps: Buffer): Buffer {
  const header = Buffer.alloc(23);
  header[0] = 1;
  // general_profile_space..general_level_idc, from the SPS without its emulation-prevention bytes
  const rbsp: number[] = [];
  for (let i = 0, zeros = 0; i < sps.length && rbsp.length < 15; i++) {
    if (zeros >= 2 && sps[i] === 3) {
      zeros = 0;
      continue;
    }
    rbsp.push(sps[i]!);
    zeros = sps[i] === 0 ? zeros + 1 : 0;
  }
  Buffer.from(rbsp).copy(header, 1, 3, 15);
  header.writeUInt16BE(0xf000, 13);
  header[15] = 0xfc;
  header[16] = 0xfd; // 4:2:0
  header[17] = 0xf8;
  header[18] = 0xf8;
  header[21] = 0x0f; // 4-byte NAL lengths
  header[22] = 3;
  const arr = (type: number, nal: Buffer): Buffer => {
    const b = Buffer.alloc(5);
    b[0] = 0x80 | type;
    b.writeUInt16BE(1, 1);
    b.writeUInt16BE(nal.length, 3);
    return Buffer.concat([b, nal]);
  };
  return Buffer.concat([header, arr(32, vps), arr(33, sps), arr(34, pps)]);
}

describe('tags from real encoders (ffmpeg)', () => {
  let dir: string;
  let flv: Array<{ type: number; payload: Buffer }>;
  let hevcNals: Buffer[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'media-tags-'));
    const ff = (args: string[]): void => {
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeout: 30_000 });
    };
    ff([
      '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100',
      '-t', '0.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main', '-pix_fmt', 'yuv420p', '-g', '5', '-bf', '2',
      '-c:a', 'aac', '-ac', '1', '-f', 'flv', join(dir, 'a.flv'),
    ]);
    ff(['-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25', '-t', '0.1', '-c:v', 'libx265', '-x265-params', 'log-level=none', '-f', 'hevc', join(dir, 'b.hevc')]);
    flv = flvTags(readFileSync(join(dir, 'a.flv')));
    hevcNals = annexBNals(readFileSync(join(dir, 'b.hevc')));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('[conf 62] H.264 from ffmpeg: sequence header with profile, level and cropped size, keyframes, signed CTS', () => {
    const video = flv.filter((t) => t.type === 9).map((t) => parseVideoTag(t.payload));
    const first = video[0]!;
    expect(first).toMatchObject({ codec: 'avc', codecId: 7, enhanced: false, isSequenceHeader: true, isKeyframe: false, packetType: 0 });
    expect(first.config).toMatchObject({ kind: 'avc', profile: 77, width: 426, height: 240, nalLengthSize: 4 });
    expect(video[1]).toMatchObject({ isKeyframe: true, packetType: 1, frameType: 1 });
    // GOP of 5 frames: 3 keyframes in 13 frames (0.5 s at 25 fps)
    expect(video.filter((v) => v.isKeyframe).length).toBe(3);
    // with B-frames, some composition offsets are non-zero
    expect(video.some((v) => v.compositionTime > 0)).toBe(true);
    for (const v of video.slice(1)) if (!v.isEndOfSequence) expect(v.dataLength).toBeGreaterThan(0);
    // ffmpeg closes the stream with the 5-byte AVC end of sequence
    expect(video.at(-1)).toMatchObject({ isEndOfSequence: true, dataLength: 0 });
  });

  it('[conf 63] AAC from ffmpeg: AudioSpecificConfig gives sample rate and channels', () => {
    const audio = flv.filter((t) => t.type === 8).map((t) => parseAudioTag(t.payload));
    expect(audio[0]).toMatchObject({ codec: 'aac', isSequenceHeader: true, packetType: 0, sampleRate: 44100, channels: 1 });
    expect(audio[0]!.aacConfig).toMatchObject({ objectType: 2, sampleRate: 44100, channelConfiguration: 1 });
    expect(audio.slice(1).every((a) => a.codec === 'aac' && a.packetType === 1 && !a.isSequenceHeader)).toBe(true);
  });

  it('[conf 55] Enhanced RTMP hvc1 sequence start from an x265 stream: profile, level, size from the SPS', () => {
    const byType = (t: number): Buffer => hevcNals.find((n) => ((n[0]! >> 1) & 0x3f) === t)!;
    const record = hvcC(byType(32), byType(33), byType(34));
    const info = parseVideoTag(cat([0x90], 'hvc1', record));
    expect(info).toMatchObject({ enhanced: true, codec: 'hevc', fourcc: 'hvc1', isSequenceHeader: true, isKeyframe: false, frameType: 1 });
    expect(info.config).toMatchObject({ kind: 'hevc', profile: 1, width: 426, height: 240, nalLengthSize: 4 });
    expect(info.config?.level).toBeGreaterThan(0);
    // the same record through legacy codec id 12
    const legacy = parseVideoTag(cat([0x1c, 0, 0, 0, 0], record));
    expect(legacy).toMatchObject({ codec: 'hevc', codecId: 12, isSequenceHeader: true });
    expect(legacy.config).toMatchObject({ width: 426, height: 240 });
  });
});

/** The body of the first `type` box in an MP4 file (enough for the one sample entry ffmpeg writes). */
function mp4Box(file: Buffer, type: string): Buffer {
  const at = file.indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`no ${type} box`);
  return file.subarray(at + 4, at - 4 + file.readUInt32BE(at - 4));
}

describe('HEVC under legacy codec id 7 (old OBS forks)', () => {
  let dir: string;
  /** real decoder configuration records: x265 hvcC, libx264 avcC in several profiles */
  const records: Record<string, Buffer> = {};
  const legacySequenceHeader = (record: Buffer): Buffer => cat([0x17, 0, 0, 0, 0], record);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'media-tags-id7-'));
    const encode = (name: string, codecArgs: string[]): void => {
      const out = join(dir, `${name}.mp4`);
      execFileSync(
        'ffmpeg',
        ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25', '-frames:v', '5', ...codecArgs, '-f', 'mp4', out],
        { timeout: 60_000 },
      );
      records[name] = mp4Box(readFileSync(out), name.startsWith('x265') ? 'hvcC' : 'avcC');
    };
    encode('x265-main', ['-c:v', 'libx265', '-x265-params', 'log-level=none', '-pix_fmt', 'yuv420p']);
    encode('x265-main444-10', ['-c:v', 'libx265', '-x265-params', 'log-level=none', '-pix_fmt', 'yuv444p10le']);
    encode('x264-baseline', ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p']);
    encode('x264-high', ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'high', '-pix_fmt', 'yuv420p']);
    encode('x264-high444-10', ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'high444', '-pix_fmt', 'yuv444p10le']);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a real x265 hvcC in a codec id 7 sequence header is reported as HEVC, with its configuration', () => {
    for (const name of ['x265-main', 'x265-main444-10']) {
      const record = records[name]!;
      expect([name, detectDecoderConfigRecord(record)]).toEqual([name, 'hevc']);
      const info = parseVideoTag(legacySequenceHeader(record));
      expect(info).toMatchObject({ codec: 'hevc', codecId: 7, enhanced: false, isSequenceHeader: true, isKeyframe: false });
      expect(info.config).toMatchObject({ kind: 'hevc', width: 426, height: 240, nalLengthSize: 4 });
    }
    expect(parseVideoTag(legacySequenceHeader(records['x265-main444-10']!)).config).toMatchObject({ chromaFormat: 3, bitDepth: 10 });
  });

  it('real libx264 avcC records (baseline, main, high, high 4:4:4 10-bit) stay AVC', () => {
    for (const name of ['x264-baseline', 'x264-high', 'x264-high444-10']) {
      const record = records[name]!;
      expect([name, detectDecoderConfigRecord(record)]).toEqual([name, 'avc']);
      expect(parseVideoTag(legacySequenceHeader(record))).toMatchObject({ codec: 'avc', config: { kind: 'avc', width: 426, height: 240 } });
    }
  });

  it('an hvcC that is not laid out as one (reserved bits cleared, truncated, trailing garbage) is not called HEVC', () => {
    const good = records['x265-main']!;
    const clearedReserved = Buffer.from(good);
    clearedReserved[15] = 0x00; // parallelismType byte without its '111111' reserved bits
    const truncated = good.subarray(0, good.length - 10);
    const trailing = Buffer.concat([good, Buffer.from([0, 0, 0])]);
    for (const [what, record] of [['reserved bits', clearedReserved], ['truncated', truncated], ['trailing', trailing]] as const) {
      expect([what, detectDecoderConfigRecord(record)]).toEqual([what, undefined]);
      expect([what, parseVideoTag(legacySequenceHeader(record)).codec]).toEqual([what, 'avc']);
    }
    // codec id 12 and enhanced hvc1 never needed the detection and are unaffected by it
    expect(parseVideoTag(cat([0x1c, 0, 0, 0, 0], good)).codec).toBe('hevc');
  });

  it('VideoCodecTracker carries the sequence header\'s answer to the coded frames of the stream', () => {
    const tracker = new VideoCodecTracker();
    const codedFrame = parseVideoTag(h`17 01 000000 00000004 26010000`);
    expect(codedFrame.codec).toBe('avc'); // a coded frame alone cannot tell
    expect(tracker.observe(codedFrame)).toBe('avc');
    expect(tracker.observe(parseVideoTag(legacySequenceHeader(records['x265-main']!)))).toBe('hevc');
    expect(tracker.observe(codedFrame)).toBe('hevc');
    expect(tracker.observe(parseVideoTag(h`27 01 000000 00000004 02010000`))).toBe('hevc');
    // other codecs pass through untouched
    expect(tracker.observe(parseVideoTag(h`1c 01 000000 00`))).toBe('hevc');
    expect(tracker.observe(parseVideoTag(cat([0x91], 'av01', [1, 2])))).toBe('av1');
    // a real AVC sequence header on the same stream (encoder reconfigured) switches back
    expect(tracker.observe(parseVideoTag(legacySequenceHeader(records['x264-high']!)))).toBe('avc');
    expect(tracker.observe(codedFrame)).toBe('avc');
    tracker.observe(parseVideoTag(legacySequenceHeader(records['x265-main']!)));
    tracker.reset();
    expect(tracker.observe(codedFrame)).toBe('avc');
  });
});

describe('legacy video tags [conf 62, 64]', () => {
  it('[conf 62] AVC NALU keyframe with positive and negative SI24 composition time', () => {
    expect(parseVideoTag(h`17 01 000021 00000001 65`)).toMatchObject({ codec: 'avc', frameType: 1, isKeyframe: true, compositionTime: 33, dataOffset: 5, dataLength: 5 });
    expect(parseVideoTag(h`27 01 ffffdf 00`)).toMatchObject({ frameType: 2, isKeyframe: false, compositionTime: -33 });
    expect(parseVideoTag(h`27 01 800000`).compositionTime).toBe(-0x800000);
  });

  it('[conf 62] the 5-byte AVC end of sequence parses; shorter AVC tags are TAG_MALFORMED', () => {
    expect(parseVideoTag(h`17 02 000000`)).toMatchObject({ isEndOfSequence: true, isKeyframe: false, isSequenceHeader: false, dataLength: 0 });
    expect(errorCode(() => parseVideoTag(h`17 02`))).toBe('TAG_MALFORMED');
    expect(errorCode(() => parseVideoTag(h`17`))).toBe('TAG_MALFORMED');
    expect(errorCode(() => parseVideoTag(Buffer.alloc(0)))).toBe('TAG_MALFORMED');
  });

  it('[conf 64] frameType 1 with AVC packet type 0 is a sequence header, not a keyframe', () => {
    const info = parseVideoTag(h`17 00 000000 01 4d 40 1e ff e1 0000 01 0000`);
    expect(info).toMatchObject({ isSequenceHeader: true, isKeyframe: false });
    expect(info.config).toMatchObject({ kind: 'avc', profile: 0x4d, level: 0x1e, nalLengthSize: 4 });
  });

  it('legacy codec ids: H.263, screen, VP6, VP6 alpha, screen v2, HEVC 12, unknown', () => {
    const cases: Array<[string, Partial<VideoTagInfo>]> = [
      ['22 00', { codec: 'h263', codecId: 2, frameType: 2, isKeyframe: false }],
      ['13 00', { codec: 'screen', isKeyframe: true }],
      ['14 00 00', { codec: 'vp6', isKeyframe: true }],
      ['25 00', { codec: 'vp6a', isKeyframe: false }],
      ['16 00', { codec: 'screen2', isKeyframe: true }],
      ['1c 01 000000 00', { codec: 'hevc', codecId: 12, isKeyframe: true }],
      ['1f 00', { codec: 'unknown', codecId: 15, isKeyframe: true }],
    ];
    for (const [hex, expected] of cases) expect(parseVideoTag(Buffer.from(hex.replace(/ /g, ''), 'hex')), hex).toMatchObject(expected);
  });

  it('[conf 64] frameType 5 is a command frame, never a keyframe', () => {
    expect(parseVideoTag(h`57 00 000000 01`)).toMatchObject({ isCommandFrame: true, videoCommand: 1, isKeyframe: false });
    expect(parseVideoTag(h`52 00`)).toMatchObject({ isCommandFrame: true, videoCommand: 0, codec: 'h263' });
  });
});

describe('Enhanced RTMP video [conf 55, 57, 58, 64]', () => {
  it('[conf 55] CodedFrames for hvc1/avc1 carry an SI24 CTS; CodedFramesX means CTS 0', () => {
    expect(parseVideoTag(cat([0x91], 'hvc1', h`fffff6 00000002 2601`))).toMatchObject({
      codec: 'hevc', packetType: 1, isKeyframe: true, compositionTime: -10, dataOffset: 8, dataLength: 6,
    });
    expect(parseVideoTag(cat([0xa1], 'avc1', h`000028 00`))).toMatchObject({ codec: 'avc', frameType: 2, isKeyframe: false, compositionTime: 40 });
    expect(parseVideoTag(cat([0x93], 'hvc1', h`00000002 2601`))).toMatchObject({ packetType: 3, isKeyframe: true, compositionTime: 0, dataOffset: 5 });
    // other codecs have no CTS field in CodedFrames
    expect(parseVideoTag(cat([0x91], 'av01', h`0a0b0c`))).toMatchObject({ codec: 'av1', compositionTime: 0, dataOffset: 5, dataLength: 3, isKeyframe: true });
  });

  it('[conf 55] every FourCC and packet type; unknown ones are reported, not rejected', () => {
    expect(parseVideoTag(cat([0x90], 'av01', h`81000c00`))).toMatchObject({ codec: 'av1', isSequenceHeader: true, isKeyframe: false });
    expect(parseVideoTag(cat([0xa3], 'vp09', h`00`))).toMatchObject({ codec: 'vp9', frameType: 2, isKeyframe: false });
    expect(parseVideoTag(cat([0x93], 'vp08', h`00`))).toMatchObject({ codec: 'vp8', isKeyframe: true });
    expect(parseVideoTag(cat([0x92], 'vvc1'))).toMatchObject({ codec: 'vvc', isEndOfSequence: true, dataLength: 0 });
    expect(parseVideoTag(cat([0x95], 'avc1', h`4711`))).toMatchObject({ packetType: 5, isKeyframe: false, dataLength: 2 });
    expect(parseVideoTag(cat([0x9a], 'av01', h`00`))).toMatchObject({ packetType: 10, isKeyframe: false });
    expect(parseVideoTag(cat([0x91], 'xyz1', h`00`))).toMatchObject({ codec: 'unknown', fourcc: 'xyz1' });
  });

  it('[conf 64] frameType is ignored on Metadata; frameType 5 is a command frame otherwise', () => {
    const amf = encodeAmf0(['colorInfo', { colorConfig: { bitDepth: 10 } }]);
    const meta = parseVideoTag(cat([0xd4], 'hvc1', amf));
    expect(meta).toMatchObject({ isMetadata: true, isCommandFrame: false, isKeyframe: false, packetType: 4 });
    expect(decodeAmf0(cat(amf).subarray(0)).length).toBe(2);
    const cmd = parseVideoTag(cat([0xd1], h`01`));
    expect(cmd).toMatchObject({ isCommandFrame: true, videoCommand: 1, isKeyframe: false });
  });

  it('[conf 57] ModEx TimestampOffsetNano (UI8 size) and a long ModEx (UI16 size), unknown types skipped', () => {
    const nano = parseVideoTag(cat([0x97, 0x02], h`0f423f`, [0x01], 'avc1', h`000000 65`));
    expect(nano).toMatchObject({ timestampOffsetNano: 999_999, packetType: 1, codec: 'avc', isKeyframe: true, dataLength: 1 });
    const long = parseVideoTag(cat([0x97, 0xff], h`0100`, Buffer.alloc(257, 7), [0x17, 0x02], h`000123`, [0x03], 'av01', h`00`));
    // an unknown ModEx type (1) then a TimestampOffsetNano, then CodedFramesX
    expect(long).toMatchObject({ packetType: 3, codec: 'av1', timestampOffsetNano: 0x123, isKeyframe: true });
    expect(errorCode(() => parseVideoTag(cat([0x97, 0x05], h`0102`)))).toBe('TAG_MALFORMED');
  });

  it('[conf 58] multitrack OneTrack: shared FourCC, track id, no size', () => {
    const info = parseVideoTag(cat([0x96, 0x01], 'avc1', [0x03], h`00000a 65`));
    expect(info.multitrack).toMatchObject({ type: 0 });
    expect(info.multitrack!.tracks).toHaveLength(1);
    expect(info).toMatchObject({ trackId: 3, codec: 'avc', compositionTime: 10, isKeyframe: true, dataLength: 1 });
  });

  it('[conf 58] multitrack ManyTracks: per-track id and UI24 size', () => {
    const info = parseVideoTag(cat([0x96, 0x13], 'av01', [1], u24(3), 'aaa', [2], u24(2), 'bb'));
    expect(info.multitrack!.type).toBe(1);
    expect(info.multitrack!.tracks.map((t) => [t.trackId, t.codec, t.dataLength, t.isKeyframe])).toEqual([
      [1, 'av1', 3, true],
      [2, 'av1', 2, true],
    ]);
    expect(errorCode(() => parseVideoTag(cat([0x96, 0x13], 'av01', [1], u24(30), 'aaa')))).toBe('TAG_MALFORMED');
  });

  it('[conf 58] multitrack ManyTracksManyCodecs: FourCC per track, sequence start per codec', () => {
    const avcc = h`01 64 00 1f ff e0 00`;
    const info = parseVideoTag(cat([0x96, 0x20], 'avc1', [0], u24(avcc.length), avcc, 'vp09', [1], u24(2), 'xx'));
    expect(info.multitrack!.type).toBe(2);
    expect(info.multitrack!.tracks.map((t) => [t.fourcc, t.trackId, t.isSequenceHeader])).toEqual([
      ['avc1', 0, true],
      ['vp09', 1, true],
    ]);
    expect(info.multitrack!.tracks[0]!.config).toMatchObject({ kind: 'avc', profile: 100, level: 31 });
  });

  it('[conf 58] reserved multitrack types are skipped without an error', () => {
    const info = parseVideoTag(cat([0x96, 0x31], 'avc1', h`000102`));
    expect(info.multitrack).toEqual({ type: 3, tracks: [] });
    expect(info.isKeyframe).toBe(false);
  });

  it('[conf 55] truncated enhanced tags are TAG_MALFORMED', () => {
    expect(errorCode(() => parseVideoTag(cat([0x91], 'hv')))).toBe('TAG_MALFORMED');
    expect(errorCode(() => parseVideoTag(cat([0x91], 'hvc1', [0])))).toBe('TAG_MALFORMED');
    expect(errorCode(() => parseVideoTag(h`96`))).toBe('TAG_MALFORMED');
    expect(errorCode(() => parseVideoTag(h`d1`))).toBe('TAG_MALFORMED');
  });
});

describe('audio tags [conf 56, 63]', () => {
  it('[conf 63] AAC: 0xAF then packet type 0 AudioSpecificConfig / 1 raw', () => {
    expect(parseAudioTag(h`af 00 1210`)).toMatchObject({ codec: 'aac', isSequenceHeader: true, sampleRate: 44100, channels: 2, dataOffset: 2 });
    expect(parseAudioTag(h`af 01 21 1b`)).toMatchObject({ codec: 'aac', isSequenceHeader: false, packetType: 1, dataLength: 2 });
    expect(errorCode(() => parseAudioTag(h`af`))).toBe('TAG_MALFORMED');
  });

  it('[conf 20] an empty audio message is silence, not an error', () => {
    expect(parseAudioTag(Buffer.alloc(0))).toMatchObject({ isSilence: true, codec: 'none', dataLength: 0 });
  });

  it('legacy sound formats and their flags', () => {
    expect(parseAudioTag(h`2f ff`)).toMatchObject({ codec: 'mp3', sampleRate: 44100, channels: 2, sampleSize: 16 });
    expect(parseAudioTag(h`3e 0000`)).toMatchObject({ codec: 'pcm', sampleRate: 44100, channels: 1, sampleSize: 16 });
    expect(parseAudioTag(h`02 00`)).toMatchObject({ codec: 'pcm', sampleRate: 5512, channels: 1, sampleSize: 16 });
    expect(parseAudioTag(h`b6 00`)).toMatchObject({ codec: 'speex', sampleRate: 16000 });
    expect(parseAudioTag(h`e2 00`)).toMatchObject({ codec: 'mp3', sampleRate: 8000 });
    expect(parseAudioTag(h`72 00`)).toMatchObject({ codec: 'g711a', sampleRate: 8000 });
    expect(parseAudioTag(h`82 00`)).toMatchObject({ codec: 'g711u' });
    expect(parseAudioTag(h`46 00`)).toMatchObject({ codec: 'nellymoser', sampleRate: 16000 });
    expect(parseAudioTag(h`c0`)).toMatchObject({ codec: 'unknown', dataLength: 0 });
  });

  it('AudioSpecificConfig with explicit SBR signalling and an escape sample rate', () => {
    // objectType 5 (SBR), 24 kHz core (index 6), stereo, extension 48 kHz (index 3), core AAC LC (2)
    expect(parseAudioSpecificConfig(h`2b 11 88 00`)).toMatchObject({ objectType: 5, sampleRate: 24000, channels: 2, extensionSampleRate: 48000, coreObjectType: 2 });
    expect(parseAudioSpecificConfig(h`12`)).toBeUndefined();
  });

  it('[conf 56] Enhanced audio: Opus and mp4a sequence start, coded frames, sequence end', () => {
    const opusHead = cat('OpusHead', [1, 2], h`3801 80bb0000 0000 00`);
    expect(parseAudioTag(cat([0x90], 'Opus', opusHead))).toMatchObject({ enhanced: true, codec: 'opus', isSequenceHeader: true, sampleRate: 48000, channels: 2 });
    expect(parseAudioTag(cat([0x91], 'Opus', h`fc`))).toMatchObject({ codec: 'opus', packetType: 1, isSequenceHeader: false, dataOffset: 5, dataLength: 1 });
    expect(parseAudioTag(cat([0x90], 'mp4a', h`1190`))).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(parseAudioTag(cat([0x92], 'fLaC'))).toMatchObject({ codec: 'flac', isSequenceEnd: true, dataLength: 0 });
    expect(parseAudioTag(cat([0x91], 'ac-3', h`0b77`))).toMatchObject({ codec: 'ac3' });
    expect(parseAudioTag(cat([0x91], 'ec-3', h`0b77`))).toMatchObject({ codec: 'eac3' });
    expect(parseAudioTag(cat([0x91], '.mp3', h`fffb`))).toMatchObject({ codec: 'mp3' });
    expect(parseAudioTag(cat([0x9c], 'Opus', h`00`))).toMatchObject({ codec: 'opus', packetType: 12 });
    const streamInfo = cat('fLaC', [0x80, 0, 0, 34], h`1000 1000 000000 000000 0ac442f0 00000000`, Buffer.alloc(16));
    expect(parseAudioTag(cat([0x90], 'fLaC', streamInfo))).toMatchObject({ codec: 'flac', sampleRate: 44100, channels: 2 });
  });

  it('[conf 56] MultichannelConfig: custom mapping, native flags, unspecified', () => {
    expect(parseAudioTag(cat([0x94], 'Opus', [2, 3, 0, 1, 2])).multichannelConfig).toEqual({ channelOrder: 2, channelCount: 3, channelMapping: [0, 1, 2] });
    expect(parseAudioTag(cat([0x94], 'ac-3', [1, 6], h`0000003f`)).multichannelConfig).toEqual({ channelOrder: 1, channelCount: 6, channelFlags: 0x3f });
    expect(parseAudioTag(cat([0x94], 'Opus', [0, 2]))).toMatchObject({ channels: 2, multichannelConfig: { channelOrder: 0, channelCount: 2 } });
    expect(errorCode(() => parseAudioTag(cat([0x94], 'Opus', [2, 5, 0])))).toBe('TAG_MALFORMED');
    expect(errorCode(() => parseAudioTag(cat([0x90], 'Op')))).toBe('TAG_MALFORMED');
  });

  it('[conf 57] audio ModEx TimestampOffsetNano', () => {
    expect(parseAudioTag(cat([0x97, 0x02], h`000400`, [0x01], 'Opus', h`fc`))).toMatchObject({ timestampOffsetNano: 1024, packetType: 1, codec: 'opus' });
  });

  it('[conf 58] audio multitrack: ManyTracks and ManyTracksManyCodecs', () => {
    const many = parseAudioTag(cat([0x95, 0x11], 'Opus', [1], u24(2), 'aa', [2], u24(1), 'b'));
    expect(many.multitrack!.tracks.map((t) => [t.trackId, t.codec, t.dataLength])).toEqual([
      [1, 'opus', 2],
      [2, 'opus', 1],
    ]);
    const codecs = parseAudioTag(cat([0x95, 0x20], 'mp4a', [0], u24(2), h`1190`, 'Opus', [1], u24(19), 'OpusHead', [1, 1], Buffer.alloc(9)));
    expect(codecs.multitrack!.tracks.map((t) => [t.codec, t.sampleRate, t.channels])).toEqual([
      ['aac', 48000, 2],
      ['opus', 48000, 1],
    ]);
    const one = parseAudioTag(cat([0x95, 0x01], 'Opus', [7], h`fc`));
    expect(one).toMatchObject({ trackId: 7, dataLength: 1, multitrack: { type: 0 } });
  });
});

describe('onMetaData codec ids [conf 60]', () => {
  it('[conf 60] legacy ids, FourCC numbers and FourCC strings', () => {
    expect(fourCcToNumber('hvc1')).toBe(1752589105);
    expect(codecFromMetadataId(1752589105)).toBe('hevc');
    expect(codecFromMetadataId(7)).toBe('avc');
    expect(codecFromMetadataId(12)).toBe('hevc');
    expect(codecFromMetadataId(fourCcToNumber('av01'))).toBe('av1');
    expect(codecFromMetadataId('avc1')).toBe('avc');
    expect(codecFromMetadataId(10, 'audio')).toBe('aac');
    expect(codecFromMetadataId(fourCcToNumber('Opus'), 'audio')).toBe('opus');
    expect(codecFromMetadataId(99)).toBeUndefined();
    expect(codecFromMetadataId(undefined)).toBeUndefined();
    expect(codecFromMetadataId(-1)).toBeUndefined();
  });
});

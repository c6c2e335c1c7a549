import { describe, expect, it } from 'vitest';
import { plainAudioTag, plainVideoTag } from '../src/index.js';

const E = { enhanced: true };
const L = { enhanced: false };
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('plain tags from Enhanced RTMP', () => {
  it('legacy tags come back as the same Buffer', () => {
    const avc = hex('17 01 000000 00000001 65');
    expect(plainVideoTag(avc, E)).toBe(avc);
    expect(plainVideoTag(avc, L)).toBe(avc);
    const aac = hex('af 01 2110');
    expect(plainAudioTag(aac, L)).toBe(aac);
  });

  it('avc1 E-RTMP frames become legacy AVC tags (CodedFrames with CT, CodedFramesX without, SequenceStart)', () => {
    // keyframe (1), CodedFrames (1), 'avc1', CT 0x000021, NALU bytes
    expect(plainVideoTag(hex('91 61766331 000021 aabb'), L)).toEqual(hex('17 01 000021 aabb'));
    // inter frame (2), CodedFramesX (3): composition time 0
    expect(plainVideoTag(hex('a3 61766331 ccdd'), L)).toEqual(hex('27 01 000000 ccdd'));
    // SequenceStart (0): AVCPacketType 0 with the record
    expect(plainVideoTag(hex('90 61766331 01640028ff'), E)).toEqual(hex('17 00 000000 01640028ff'));
  });

  it('mp4a E-RTMP audio becomes legacy AAC; Opus stays E-RTMP for enhanced receivers and is withheld from legacy ones', () => {
    expect(plainAudioTag(hex('90 6d703461 1190'), L)).toEqual(hex('af 00 1190'));
    expect(plainAudioTag(hex('91 6d703461 2110'), L)).toEqual(hex('af 01 2110'));
    const opus = hex('91 4f707573 fc0102');
    expect(plainAudioTag(opus, E)).toBe(opus);
    expect(plainAudioTag(opus, L)).toBeNull();
  });

  it('av01 and hvc1 pass to enhanced receivers and are withheld from legacy ones', () => {
    const av1 = hex('91 61763031 0a0b0c');
    expect(plainVideoTag(av1, E)).toBe(av1);
    expect(plainVideoTag(av1, L)).toBeNull();
    const hevc = hex('91 68766331 000000 0102');
    expect(plainVideoTag(hevc, L)).toBeNull();
  });

  it('multitrack video is reduced to the default track (id 0)', () => {
    // keyframe, Multitrack (6); OneCodecMultitrack? use ManyTracks (1) << 4 | CodedFramesX (3), fourcc av01,
    // track 1 (size 2) then track 0 (size 3)
    const tag = hex('96 13 61763031 01 000002 aaaa 00 000003 bbbbbb');
    expect(plainVideoTag(tag, E)).toEqual(hex('93 61763031 bbbbbb'));
    expect(plainVideoTag(hex('96 13 61763031 01 000002 aaaa'), E)).toBeNull();
  });

  it('a truncated enhanced tag throws TAG_MALFORMED (the callers skip it)', () => {
    expect(() => plainVideoTag(hex('91 6176'), E)).toThrow(/TAG_MALFORMED|short|needs/i);
  });
});

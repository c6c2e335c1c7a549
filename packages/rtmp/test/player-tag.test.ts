import { describe, expect, it } from 'vitest';
import { FourCcSupport, playerAudioTag, playerVideoTag } from '../src/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const HEVC = hex('91 68766331 000000 0102');
const AV1 = hex('91 61763031 0a0b0c');
const AVC_E = hex('91 61766331 000021 aabb');
const OPUS = hex('91 4f707573 fc0102');
const AAC = hex('af 01 2110');

describe('what an RTMP player is sent, by the FourCCs its connect declared', () => {
  it('fourCcList [hvc1]: HEVC as published, AV1 and Opus not at all, H.264 as a legacy tag', () => {
    const hevcOnly = FourCcSupport.fromConnect(['hvc1']);
    expect(playerVideoTag(HEVC, hevcOnly)).toBe(HEVC);
    expect(playerVideoTag(AV1, hevcOnly)).toBeNull();
    expect(playerAudioTag(OPUS, hevcOnly)).toBeNull();
    expect(playerVideoTag(AVC_E, hevcOnly)).toEqual(hex('17 01 000021 aabb'));
    expect(playerAudioTag(AAC, hevcOnly)).toBe(AAC);
    expect(hevcOnly.withheld(['hevc', 'opus'])).toEqual(['Opus']);
    expect(hevcOnly.withheld(['av1', 'aac'])).toEqual(['av01']);
  });

  it("'*' gets every tag as published; no list gets only legacy codecs", () => {
    const all = FourCcSupport.fromConnect(['*']);
    for (const t of [HEVC, AV1, AVC_E]) expect(playerVideoTag(t, all)).toBe(t);
    expect(playerAudioTag(OPUS, all)).toBe(OPUS);
    expect(all.withheld(['av1', 'opus'])).toEqual([]);
    const legacy = FourCcSupport.fromConnect(undefined);
    expect(FourCcSupport.fromConnect([])).toBe(legacy);
    expect(playerVideoTag(HEVC, legacy)).toBeNull();
    expect(playerAudioTag(OPUS, legacy)).toBeNull();
    expect(playerVideoTag(AVC_E, legacy)).toEqual(hex('17 01 000021 aabb'));
    expect(legacy.withheld(['hevc', 'opus'])).toEqual(['hvc1', 'Opus']);
  });

  it('FourCCs match exactly (they are case-sensitive) and equal lists share one encoding id', () => {
    expect(playerAudioTag(OPUS, FourCcSupport.fromConnect(['opus']))).toBeNull();
    expect(FourCcSupport.fromConnect(['Opus', 'av01']).id).toBe(FourCcSupport.fromConnect(['av01', 'Opus', 'av01']).id);
  });

  it('a multitrack tag passes whole when every track codec is declared, else only its default track, if declared', () => {
    // keyframe, Multitrack; ManyTracks (1) << 4 | CodedFramesX (3), fourcc av01: track 1 (2 bytes) then track 0 (3 bytes)
    const tag = hex('96 13 61763031 01 000002 aaaa 00 000003 bbbbbb');
    expect(playerVideoTag(tag, FourCcSupport.fromConnect(['av01']))).toBe(tag);
    // ManyTracksManyCodecs (2): each track is fourcc, id, size: track 0 av01, track 1 hvc1
    const mixed = hex('96 23 61763031 00 000003 bbbbbb 68766331 01 000002 aaaa');
    expect(playerVideoTag(mixed, FourCcSupport.fromConnect(['av01']))).toEqual(hex('93 61763031 bbbbbb'));
    expect(playerVideoTag(mixed, FourCcSupport.fromConnect(['hvc1']))).toBeNull();
  });
});

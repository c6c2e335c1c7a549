import { AudioFourCc, VideoFourCc, type AudioCodec, type VideoCodec } from './FourCc.js';

/** Codecs that only Enhanced RTMP carries, by FourCC (H.264 and AAC have legacy forms every player decodes). */
const ENHANCED_ONLY: ReadonlyMap<string, string> = new Map<VideoCodec | AudioCodec, string>([
  ['hevc', VideoFourCc.Hevc],
  ['av1', VideoFourCc.Av1],
  ['vp9', VideoFourCc.Vp9],
  ['vp8', VideoFourCc.Vp8],
  ['vvc', VideoFourCc.Vvc],
  ['opus', AudioFourCc.Opus],
  ['flac', AudioFourCc.Flac],
  ['ac3', AudioFourCc.Ac3],
  ['eac3', AudioFourCc.Eac3],
]);

/**
 * What an RTMP player said it decodes, from the `fourCcList` of its connect command (Enhanced RTMP): nothing
 * (a legacy client: only legacy FLV codec ids), every codec (`'*'`), or the listed FourCCs. Per FourCC, so a
 * player that declared `['hvc1']` is sent HEVC but not AV1 or Opus. Matching is exact, as FourCCs are
 * case-sensitive (`Opus`, `av01`).
 */
export class FourCcSupport {
  /** a client that declared no fourCcList */
  static readonly LEGACY = new FourCcSupport('legacy', new Set());
  /** `'*'`: every codec, tags forwarded as published */
  static readonly ALL = new FourCcSupport('all', new Set());

  private constructor(
    /** stable name of this capability set (players with equal sets share one encoding of every packet) */
    readonly id: string,
    private readonly declared: ReadonlySet<string>,
  ) {}

  static fromConnect(fourCcList: readonly string[] | undefined): FourCcSupport {
    if (fourCcList === undefined || fourCcList.length === 0) return FourCcSupport.LEGACY;
    if (fourCcList.includes('*')) return FourCcSupport.ALL;
    const set = new Set(fourCcList);
    return new FourCcSupport(`fourcc:${[...set].sort().join(',')}`, set);
  }

  get legacyOnly(): boolean {
    return this === FourCcSupport.LEGACY;
  }

  get all(): boolean {
    return this === FourCcSupport.ALL;
  }

  accepts(fourCc: string): boolean {
    return this.all || this.declared.has(fourCc);
  }

  /** FourCCs of `codecs` (a stream's video and audio codec names) this player is sent no tags of (PlayerTag). */
  withheld(codecs: ReadonlyArray<string | null | undefined>): string[] {
    const out: string[] = [];
    for (const c of codecs) {
      const fourCc = c === null || c === undefined ? undefined : ENHANCED_ONLY.get(c);
      if (fourCc !== undefined && !this.accepts(fourCc)) out.push(fourCc);
    }
    return out;
  }
}

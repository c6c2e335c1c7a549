import { ChunkStreamId, encodeMessageShared, MessageType } from '@rtmp-cluster/rtmp';

export const MediaKind = { Audio: 0, Video: 1, Data: 2 } as const;
export type MediaKindId = (typeof MediaKind)[keyof typeof MediaKind];

const CSID_BY_KIND = [ChunkStreamId.Audio, ChunkStreamId.Video, ChunkStreamId.Data] as const;
const TYPE_BY_KIND = [MessageType.Audio, MessageType.Video, MessageType.DataAmf0] as const;
const TWO_POW_32 = 4294967296;

/**
 * One media message as the hub fans it out: repaired timestamp, classification,
 * and its chunk encodings. Encoding happens at most once per (chunk size,
 * message stream id); nearly every player uses the same pair, so that one is
 * kept in plain fields and only unusual pairs pay for a Map.
 */
export class MediaPacket {
  private primaryChunkSize = 0;
  private primaryStreamId = -1;
  private primary: Buffer | null = null;
  private others: Map<string, Buffer> | null = null;

  constructor(
    readonly kind: MediaKindId,
    /** output timestamp on the 64-bit timeline */
    readonly extendedTimestamp: number,
    readonly payload: Buffer,
    /** video frame a decoder can start at */
    readonly isKeyframe: boolean,
    /** sequence header or onMetaData: state a player needs before any frame */
    readonly isConfig: boolean,
  ) {}

  /** output timestamp as RTMP carries it, uint32 */
  get timestamp(): number {
    return this.extendedTimestamp % TWO_POW_32;
  }

  encodedFor(chunkSize: number, streamId: number): Buffer {
    if (this.primary !== null) {
      if (chunkSize === this.primaryChunkSize && streamId === this.primaryStreamId) return this.primary;
    } else {
      this.primary = this.encode(chunkSize, streamId);
      this.primaryChunkSize = chunkSize;
      this.primaryStreamId = streamId;
      return this.primary;
    }
    const variant = `${chunkSize}:${streamId}`;
    this.others ??= new Map();
    let buf = this.others.get(variant);
    if (buf === undefined) {
      buf = this.encode(chunkSize, streamId);
      this.others.set(variant, buf);
    }
    return buf;
  }

  private encode(chunkSize: number, streamId: number): Buffer {
    return encodeMessageShared(
      {
        csid: CSID_BY_KIND[this.kind],
        type: TYPE_BY_KIND[this.kind],
        timestamp: this.timestamp,
        streamId,
        payload: this.payload,
      },
      chunkSize,
    );
  }
}

import { ChunkStreamId, encodeMessageShared, FourCcSupport, MessageType, playerAudioTag, playerVideoTag } from '@rtmp-cluster/rtmp';

export const MediaKind = { Audio: 0, Video: 1, Data: 2 } as const;
export type MediaKindId = (typeof MediaKind)[keyof typeof MediaKind];

const CSID_BY_KIND = [ChunkStreamId.Audio, ChunkStreamId.Video, ChunkStreamId.Data] as const;
const TYPE_BY_KIND = [MessageType.Audio, MessageType.Video, MessageType.DataAmf0] as const;
const TWO_POW_32 = 4294967296;

/**
 * A wire format the hub serializes packets into for a group of sinks (RTMP chunks, FLV tags, ...). Each packet
 * is encoded at most once per encoding id and the Buffer is shared by every sink of that id.
 */
export interface PacketEncoding {
  /** equal ids mean equal bytes: 'rtmp:<chunkSize>:<streamId>', 'flv', ... */
  readonly id: string;
  /** the bytes for one packet, or null when this format does not carry it (the sinks skip it) */
  encode(packet: MediaPacket): Buffer | null;
}

/**
 * RTMP chunks for one (chunk size, message stream id, codecs the player declared): the encoding of every RTMP
 * player. What a player that did not declare a codec gets instead of its tags is one rule: playerVideoTag /
 * playerAudioTag (legacy H.264/AAC, no tags of undeclared codecs).
 */
export class RtmpChunkEncoding implements PacketEncoding {
  readonly id: string;
  constructor(
    readonly chunkSize: number,
    readonly streamId: number,
    readonly fourCcs: FourCcSupport = FourCcSupport.ALL,
  ) {
    this.id = `${fourCcs.all ? 'rtmp' : `rtmp-${fourCcs.id}`}:${chunkSize}:${streamId}`;
  }

  encode(packet: MediaPacket): Buffer | null {
    let payload: Buffer | null = packet.payload;
    if (!this.fourCcs.all && packet.kind !== MediaKind.Data) {
      try {
        payload = packet.kind === MediaKind.Video ? playerVideoTag(payload, this.fourCcs) : playerAudioTag(payload, this.fourCcs);
      } catch {
        payload = null;
      }
      if (payload === null) return null;
    }
    return encodeMessageShared(
      {
        csid: CSID_BY_KIND[packet.kind],
        type: TYPE_BY_KIND[packet.kind],
        timestamp: packet.timestamp,
        streamId: this.streamId,
        payload,
      },
      this.chunkSize,
    );
  }
}

/**
 * One media message as the hub fans it out: repaired timestamp, classification,
 * and its encodings (RTMP chunks, FLV tags...). Encoding happens at most once per
 * encoding id; nearly every packet goes out in one or two formats, so the first
 * is kept in plain fields and only further ones pay for a Map.
 */
export class MediaPacket {
  private primaryId: string | null = null;
  private primary: Buffer | null = null;
  private others: Map<string, Buffer | null> | null = null;

  constructor(
    readonly kind: MediaKindId,
    /** output timestamp on the 64-bit timeline */
    readonly extendedTimestamp: number,
    readonly payload: Buffer,
    /** video frame a decoder can start at */
    readonly isKeyframe: boolean,
    /** sequence header or onMetaData: state a player needs before any frame */
    readonly isConfig: boolean,
    /** which timeline of the stream the packet belongs to: changes with every publish and relayed source restart */
    readonly timeline = 0,
    /**
     * time on the stream's own timeline (see LiveStream): what every node of the cluster sees for this packet,
     * unlike `extendedTimestamp`, which a node rebases to keep its players' timestamps monotonic
     */
    readonly streamTimestamp = extendedTimestamp,
  ) {}

  /** output timestamp as RTMP carries it, uint32 */
  get timestamp(): number {
    return this.extendedTimestamp % TWO_POW_32;
  }

  /** This packet in `encoding`'s format (null: the format does not carry it), encoded once and shared. */
  encodedWith(encoding: PacketEncoding): Buffer | null {
    const id = encoding.id;
    if (this.primaryId === id) return this.primary;
    if (this.primaryId === null) {
      this.primaryId = id;
      this.primary = encoding.encode(this);
      return this.primary;
    }
    this.others ??= new Map();
    let buf = this.others.get(id);
    if (buf === undefined) {
      buf = encoding.encode(this);
      this.others.set(id, buf);
    }
    return buf;
  }
}

import { TagCursor } from './TagCursor.js';

/** Enhanced RTMP AvMultitrackType. */
export const AvMultitrackType = { OneTrack: 0, ManyTracks: 1, ManyTracksManyCodecs: 2 } as const;

export interface MultitrackBody<T> {
  /** AvMultitrackType (may be a reserved value) */
  type: number;
  /** packet type every track shares */
  packetType: number;
  /** FourCC shared by all tracks; undefined for ManyTracksManyCodecs */
  sharedFourCc: string | undefined;
  /** empty for a reserved multitrack type or a nested multitrack: nothing to interpret, not an error */
  tracks: T[];
}

/** Reads one track body; `c` ends where the track ends. */
export type TrackBodyReader<T> = (c: TagCursor, packetType: number, fourcc: string, trackId: number) => T;

/**
 * Reads the Enhanced RTMP multitrack layout, identical for audio and video:
 * [multitrackType:4 | packetType:4] [FourCC unless ManyTracksManyCodecs], then
 * per track [FourCC if ManyTracksManyCodecs] [trackId UI8] [size UI24 unless
 * OneTrack] [body]. Each body gets a cursor bounded by its size, so a track can
 * never read into the next one.
 */
export function readMultitrack<T>(
  c: TagCursor,
  media: 'audio' | 'video',
  multitrackPacketType: number,
  readTrack: TrackBodyReader<T>,
): MultitrackBody<T> {
  const b = c.u8('multitrack type');
  const type = b >>> 4;
  const packetType = b & 0x0f;
  const tracks: T[] = [];
  const known =
    type === AvMultitrackType.OneTrack || type === AvMultitrackType.ManyTracks || type === AvMultitrackType.ManyTracksManyCodecs;
  const sharedFourCc = type !== AvMultitrackType.ManyTracksManyCodecs ? c.fourCc(`${media} FourCC`) : undefined;
  if (known && packetType !== multitrackPacketType) {
    do {
      const fourcc = sharedFourCc ?? c.fourCc('track FourCC');
      const trackId = c.u8('track id');
      if (type === AvMultitrackType.OneTrack) {
        tracks.push(readTrack(c, packetType, fourcc, trackId));
        break;
      }
      const size = c.u24('track size');
      c.need(size, 'track data');
      const trackEnd = c.pos + size;
      tracks.push(readTrack(new TagCursor(c.buf, c.pos, trackEnd), packetType, fourcc, trackId));
      c.pos = trackEnd;
    } while (c.remaining > 0);
  }
  return { type, packetType, sharedFourCc, tracks };
}

/** The fields a multitrack tag's top level shares with its tracks and sets even when no track could be read. */
interface TrackHead<C extends string> {
  codec: C;
  fourcc: string | undefined;
  packetType: number;
  dataOffset: number;
  dataLength: number;
}

/**
 * Makes a multitrack tag's top-level fields describe its first track, or
 * the bare multitrack header when there is no track to read (reserved layout,
 * nested multitrack). Multitrack is rare, so a plain Object.assign is fine:
 * `tag` already has every track field, so no property is added.
 */
export function describeFirstTrack<C extends string, T extends TrackHead<C>>(
  tag: T,
  body: MultitrackBody<TrackHead<C>>,
  c: TagCursor,
  codecOf: (fourCc: string) => C,
  unknown: C,
): void {
  const first = body.tracks[0];
  if (first !== undefined) {
    Object.assign(tag, first);
    return;
  }
  tag.codec = body.sharedFourCc !== undefined ? codecOf(body.sharedFourCc) : unknown;
  tag.fourcc = body.sharedFourCc;
  tag.packetType = body.packetType;
  tag.dataOffset = c.pos;
  tag.dataLength = c.remaining;
}

/**
 * The audio/video tag an RTMP player is sent, by what it declared (FourCcSupport), one rule for every player:
 *
 * - Legacy tags (FLV codec ids: H.264, AAC, MP3...) go to everyone unchanged.
 * - `'*'`: every Enhanced RTMP tag unchanged.
 * - A tag whose every FourCC (each track of a multitrack tag) the player declared: unchanged.
 * - Otherwise the tag is reduced as for a plain receiver (PlainTag: the default track, without ModEx), H.264
 *   and AAC become legacy tags (every player decodes those), and a codec the player did not declare is not
 *   sent at all: a player that declared `['hvc1']` gets HEVC video and no Opus audio tags, one that declared
 *   nothing gets neither HEVC, AV1, VP9 nor Opus (it keeps the stream's metadata and whatever legacy track
 *   there is). Sending it tags it cannot parse would make it fail, or worse, feed a wrong decoder.
 *
 * null means "nothing to send". Throws RtmpError TAG_MALFORMED like the parsers.
 */
import { parseAudioTag, SoundFormat } from './AudioTag.js';
import type { FourCcSupport } from './FourCcSupport.js';
import { plainAudioTag, plainVideoTag } from './PlainTag.js';
import { parseVideoTag } from './VideoTag.js';

interface TaggedTracks {
  readonly fourcc?: string;
  readonly multitrack?: { readonly tracks: ReadonlyArray<{ readonly fourcc?: string }> };
}

function allDeclared(info: TaggedTracks, support: FourCcSupport): boolean {
  const tracks = info.multitrack ? info.multitrack.tracks : [info];
  return tracks.length > 0 && tracks.every((t) => t.fourcc !== undefined && support.accepts(t.fourcc));
}

export function playerVideoTag(payload: Buffer, support: FourCcSupport): Buffer | null {
  if (payload.length === 0) return null;
  if ((payload[0]! & 0x80) === 0 || support.all) return payload;
  if (support.legacyOnly) return plainVideoTag(payload, { enhanced: false });
  if (allDeclared(parseVideoTag(payload), support)) return payload;
  return plainVideoTag(payload, { enhanced: true, accepts: (f) => support.accepts(f) });
}

export function playerAudioTag(payload: Buffer, support: FourCcSupport): Buffer | null {
  if (payload.length === 0) return null;
  if (payload[0]! >>> 4 !== SoundFormat.ExHeader || support.all) return payload;
  if (support.legacyOnly) return plainAudioTag(payload, { enhanced: false });
  if (allDeclared(parseAudioTag(payload), support)) return payload;
  return plainAudioTag(payload, { enhanced: true, accepts: (f) => support.accepts(f) });
}

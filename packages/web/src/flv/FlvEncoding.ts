/**
 * The hub's FLV encoding: each packet becomes one FLV tag, built once and shared by every HTTP-FLV viewer
 * of the stream (as RTMP chunks are shared by RTMP players). Enhanced RTMP input is reduced by PlainTag:
 * H.264/AAC as legacy tags, HEVC/AV1/Opus as single-track E-RTMP tags, multitrack to the default track.
 */
import { MediaKind, type MediaPacket, type PacketEncoding } from '@rtmp-cluster/media';
import { plainAudioTag, plainVideoTag } from '@rtmp-cluster/rtmp';
import { flvTag, FlvTagType } from './FlvFormat.js';

const PLAIN = { enhanced: true };

/** AMF0 string 'onMetaData' as the first value of a data message */
const ON_METADATA = Buffer.from([0x02, 0x00, 0x0a, ...Buffer.from('onMetaData', 'latin1')]);

export class FlvEncoding implements PacketEncoding {
  readonly id = 'flv';

  encode(packet: MediaPacket): Buffer | null {
    const payload = packet.payload;
    switch (packet.kind) {
      case MediaKind.Video: {
        const body = safely(() => plainVideoTag(payload, PLAIN));
        return body === null ? null : flvTag(FlvTagType.Video, packet.timestamp, body);
      }
      case MediaKind.Audio: {
        const body = safely(() => plainAudioTag(payload, PLAIN));
        return body === null ? null : flvTag(FlvTagType.Audio, packet.timestamp, body);
      }
      default:
        // Only onMetaData: other data (cue points, onTextData) would appear as a new data or subtitle
        // stream in ffmpeg, and no browser player uses it. Script tags carry timestamp 0: ffmpeg's FLV
        // demuxer reads a later onMetaData at a non-zero time as a subtitle packet, i.e. a new stream.
        if (payload.length < ON_METADATA.length || !payload.subarray(0, ON_METADATA.length).equals(ON_METADATA)) return null;
        return flvTag(FlvTagType.Script, 0, payload);
    }
  }
}

/** The hub parsed the tag already; a tag its parser accepted but ours does not is skipped, never thrown. */
function safely(fn: () => Buffer | null): Buffer | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

/** The one instance every FLV viewer shares (equal ids share Buffers anyway; one object saves the lookups). */
export const FLV_ENCODING = new FlvEncoding();

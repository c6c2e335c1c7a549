/**
 * Enhanced RTMP tags reduced to what a player that is not a multitrack-aware E-RTMP client can take:
 * H.264 and AAC as legacy tags (every FLV demuxer and RTMP player reads those), other codecs (HEVC, AV1,
 * VP9, Opus, ...) as single-track E-RTMP tags without ModEx, multitrack reduced to the default track
 * (track id 0). With `enhanced: false` (an RTMP player that declared no fourCcList) codecs that have no
 * legacy form are dropped instead: the player would not decode them. Legacy input comes back as the same
 * Buffer (the common case costs one byte test); null means "nothing to send for this tag".
 */
import { AacPacketType, AudioPacketType, parseAudioTag, SoundFormat, type AudioTrackInfo } from './AudioTag.js';
import { AvcPacketType, parseVideoTag, VideoPacketType, type VideoTrackInfo } from './VideoTag.js';

export interface PlainTagOptions {
  /** the receiver decodes single-track E-RTMP tags (hvc1, av01, Opus...) */
  enhanced: boolean;
  /** with `enhanced`, which FourCCs it decodes (default: all); others are dropped like without `enhanced` */
  accepts?: (fourCc: string) => boolean;
}

const VIDEO_MODEX = VideoPacketType.ModEx;
const AUDIO_MODEX = AudioPacketType.ModEx;
const DEFAULT_TRACK = 0;

/** Video tag for a plain receiver, or null. Throws RtmpError TAG_MALFORMED like parseVideoTag. */
export function plainVideoTag(payload: Buffer, options: PlainTagOptions): Buffer | null {
  if (payload.length === 0) return null;
  if ((payload[0]! & 0x80) === 0) return payload;
  const info = parseVideoTag(payload);
  if (info.isCommandFrame) return null;
  const track: VideoTrackInfo | undefined = info.multitrack ? info.multitrack.tracks.find((t) => t.trackId === DEFAULT_TRACK) : info;
  if (track === undefined || track.isMetadata || track.fourcc === undefined) return null;
  const data = payload.subarray(track.dataOffset, track.dataOffset + track.dataLength);
  if (track.codec === 'avc') {
    const avcType = track.isSequenceHeader ? AvcPacketType.SequenceHeader : track.isEndOfSequence ? AvcPacketType.EndOfSequence : AvcPacketType.Nalu;
    const out = Buffer.allocUnsafe(5 + data.length);
    out[0] = (info.frameType << 4) | 7;
    out[1] = avcType;
    out.writeIntBE(track.compositionTime, 2, 3);
    data.copy(out, 5);
    return out;
  }
  if (!options.enhanced || options.accepts?.(track.fourcc) === false) return null;
  if (info.multitrack === undefined && (payload[0]! & 0x0f) !== VIDEO_MODEX) return payload;
  const withCt = track.packetType === VideoPacketType.CodedFrames && (track.fourcc === 'hvc1' || track.fourcc === 'avc1');
  const head = withCt ? 8 : 5;
  const out = Buffer.allocUnsafe(head + data.length);
  out[0] = 0x80 | ((info.frameType & 0x07) << 4) | track.packetType;
  out.write(track.fourcc, 1, 4, 'latin1');
  if (withCt) out.writeIntBE(track.compositionTime, 5, 3);
  data.copy(out, head);
  return out;
}

/** Audio tag for a plain receiver, or null. Throws RtmpError TAG_MALFORMED like parseAudioTag. */
export function plainAudioTag(payload: Buffer, options: PlainTagOptions): Buffer | null {
  if (payload.length === 0) return null;
  if (payload[0]! >>> 4 !== SoundFormat.ExHeader) return payload;
  const info = parseAudioTag(payload);
  const track: AudioTrackInfo | undefined = info.multitrack ? info.multitrack.tracks.find((t) => t.trackId === DEFAULT_TRACK) : info;
  if (track === undefined || track.fourcc === undefined) return null;
  const data = payload.subarray(track.dataOffset, track.dataOffset + track.dataLength);
  if (track.codec === 'aac') {
    if (track.packetType !== AudioPacketType.SequenceStart && track.packetType !== AudioPacketType.CodedFrames) return null;
    const out = Buffer.allocUnsafe(2 + data.length);
    // AAC's legacy flags are fixed (44 kHz, 16 bit, stereo); the AudioSpecificConfig tells the truth.
    out[0] = 0xaf;
    out[1] = track.isSequenceHeader ? AacPacketType.SequenceHeader : AacPacketType.Raw;
    data.copy(out, 2);
    return out;
  }
  if (!options.enhanced || options.accepts?.(track.fourcc) === false) return null;
  if (info.multitrack === undefined && (payload[0]! & 0x0f) !== AUDIO_MODEX) return payload;
  if (track.packetType === AudioPacketType.MultichannelConfig) return null;
  const out = Buffer.allocUnsafe(5 + data.length);
  out[0] = (SoundFormat.ExHeader << 4) | track.packetType;
  out.write(track.fourcc, 1, 4, 'latin1');
  data.copy(out, 5);
  return out;
}


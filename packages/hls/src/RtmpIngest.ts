import { MessageType, parseAudioTag, parseVideoTag, decodeData, isRtmpError } from '@rtmp-cluster/rtmp';
import { audioTrackFromSequenceHeader, videoTrackFromSequenceHeader, type AudioTrack, type VideoTrack } from './fmp4/Track.js';
import { isHlsError } from './HlsError.js';
import type { Segmenter } from './Segmenter.js';


/**
 * Feeds one stream's RTMP media payloads (FLV tag bodies, as the hub holds them) to a Segmenter:
 * sequence headers become tracks, coded frames become timed frames on the hub's 64-bit timeline.
 * Enhanced RTMP multitrack tags contribute their first track. Malformed tags are counted and
 * skipped; nothing here throws on input.
 */
export class RtmpIngest {
  private video: VideoTrack | undefined;
  private audio: AudioTrack | undefined;
  private metaSize: { width?: number; height?: number } = {};
  /** tags that could not be parsed, or codecs that fMP4 here does not carry */
  skipped = 0;

  constructor(private readonly segmenter: Segmenter) {}

  /** One payload; `timestamp` in ms on the stream's 64-bit timeline. */
  push(kind: 'audio' | 'video' | 'data', timestamp: number, payload: Buffer): void {
    try {
      if (kind === 'video') this.videoMessage(timestamp, payload);
      else if (kind === 'audio') this.audioMessage(timestamp, payload);
      else this.dataMessage(payload);
    } catch (err) {
      if (!isRtmpError(err) && !isHlsError(err)) throw err;
      this.skipped++;
    }
  }

  /** The publisher left: the open segment is closed; the next publish starts with new sequence headers. */
  end(): void {
    this.segmenter.end();
    this.video = undefined;
    this.audio = undefined;
    this.segmenter.setTracks(undefined, undefined);
  }

  private videoMessage(dts: number, payload: Buffer): void {
    if (payload.length === 0) return;
    const info = parseVideoTag(payload);
    if (info.isSequenceHeader) {
      const track = videoTrackFromSequenceHeader(payload, this.metaSize);
      if (track === undefined) this.skipped++;
      this.video = track;
      this.segmenter.setTracks(this.video, this.audio);
      return;
    }
    if (this.video === undefined || info.isCommandFrame || info.isMetadata || info.isEndOfSequence || info.dataLength <= 0) return;
    this.segmenter.push({
      kind: 'video',
      dts,
      cto: info.compositionTime,
      keyframe: info.isKeyframe,
      data: payload.subarray(info.dataOffset, info.dataOffset + info.dataLength),
    });
  }

  private audioMessage(dts: number, payload: Buffer): void {
    if (payload.length === 0) return;
    const info = parseAudioTag(payload);
    if (info.isSequenceHeader) {
      const track = audioTrackFromSequenceHeader(payload);
      if (track === undefined) this.skipped++;
      this.audio = track;
      this.segmenter.setTracks(this.video, this.audio);
      return;
    }
    if (this.audio === undefined || info.isSequenceEnd || info.dataLength <= 0) return;
    this.segmenter.push({ kind: 'audio', dts, cto: 0, keyframe: true, data: payload.subarray(info.dataOffset, info.dataOffset + info.dataLength) });
  }

  /** onMetaData width/height: the picture size for codecs whose record does not carry it (AV1). */
  private dataMessage(payload: Buffer): void {
    const values = decodeData({ csid: 5, type: MessageType.DataAmf0, timestamp: 0, streamId: 1, payload });
    const i = values[0] === '@setDataFrame' ? 1 : 0;
    if (values[i] !== 'onMetaData') return;
    const meta = values[i + 1];
    if (typeof meta !== 'object' || meta === null) return;
    const { width, height } = meta as Record<string, unknown>;
    this.metaSize = {
      ...(typeof width === 'number' ? { width: Math.round(width) } : {}),
      ...(typeof height === 'number' ? { height: Math.round(height) } : {}),
    };
  }
}


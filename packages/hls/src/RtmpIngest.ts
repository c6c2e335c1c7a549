import { MessageType, parseAudioTag, parseVideoTag, decodeData, isRtmpError, type RtmpMessage } from '@rtmp-cluster/rtmp';
import { audioTrackFromSequenceHeader, videoTrackFromSequenceHeader, type AudioTrack, type VideoTrack } from './fmp4/Track.js';
import type { Segmenter } from './Segmenter.js';


/**
 * Feeds one stream's RTMP media messages (as a hub subscriber receives them) to a Segmenter:
 * sequence headers become tracks, coded frames become timed frames on a 64-bit timeline
 * (the uint32 timestamps extended with signed 32-bit steps, as the hub extends them).
 * Enhanced RTMP multitrack tags contribute their first track. Malformed tags are counted and
 * skipped; nothing here throws on input.
 */
export class RtmpIngest {
  private video: VideoTrack | undefined;
  private audio: AudioTrack | undefined;
  private metaSize: { width?: number; height?: number } = {};
  private started = false;
  private lastRaw = 0;
  private extended = 0;
  /** tags that could not be parsed, or codecs that fMP4 here does not carry */
  skipped = 0;

  constructor(private readonly segmenter: Segmenter) {}

  push(msg: RtmpMessage): void {
    try {
      if (msg.type === MessageType.Video) this.videoMessage(msg);
      else if (msg.type === MessageType.Audio) this.audioMessage(msg);
      else if (msg.type === MessageType.DataAmf0) this.dataMessage(msg);
    } catch (err) {
      if (!isRtmpError(err) && !(err instanceof Error && err.name === 'HlsError')) throw err;
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

  private timeline(raw: number): number {
    raw >>>= 0;
    if (!this.started) {
      this.started = true;
      this.extended = raw;
    } else {
      this.extended += (raw - this.lastRaw) | 0;
    }
    this.lastRaw = raw;
    return this.extended;
  }

  private videoMessage(msg: RtmpMessage): void {
    if (msg.payload.length === 0) return;
    const info = parseVideoTag(msg.payload);
    if (info.isSequenceHeader) {
      const track = videoTrackFromSequenceHeader(msg.payload, this.metaSize);
      if (track === undefined) this.skipped++;
      this.video = track;
      this.segmenter.setTracks(this.video, this.audio);
      return;
    }
    if (this.video === undefined || info.isCommandFrame || info.isMetadata || info.isEndOfSequence || info.dataLength <= 0) return;
    const dts = this.timeline(msg.timestamp);
    this.segmenter.push({
      kind: 'video',
      dts,
      cto: info.compositionTime,
      keyframe: info.isKeyframe,
      data: msg.payload.subarray(info.dataOffset, info.dataOffset + info.dataLength),
    });
  }

  private audioMessage(msg: RtmpMessage): void {
    if (msg.payload.length === 0) return;
    const info = parseAudioTag(msg.payload);
    if (info.isSequenceHeader) {
      const track = audioTrackFromSequenceHeader(msg.payload);
      if (track === undefined) this.skipped++;
      this.audio = track;
      this.segmenter.setTracks(this.video, this.audio);
      return;
    }
    if (this.audio === undefined || info.isSequenceEnd || info.dataLength <= 0) return;
    const dts = this.timeline(msg.timestamp);
    this.segmenter.push({ kind: 'audio', dts, cto: 0, keyframe: true, data: msg.payload.subarray(info.dataOffset, info.dataOffset + info.dataLength) });
  }

  /** onMetaData width/height: the picture size for codecs whose record does not carry it (AV1). */
  private dataMessage(msg: RtmpMessage): void {
    const values = decodeData(msg);
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


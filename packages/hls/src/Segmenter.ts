import { createHash } from 'node:crypto';
import { buildFragment, type FragmentSample, type FragmentTrackRun } from './fmp4/Fragment.js';
import { buildInitSegment } from './fmp4/InitSegment.js';
import { AUDIO_TRACK_ID, VIDEO_TRACK_ID, opusPacketSamples, sameTrack, type AudioTrack, type VideoTrack } from './fmp4/Track.js';
import type { MediaWindow, Segment } from './MediaWindow.js';
import type { ResolvedSegmentation, TimelineAnchor } from './Timeline.js';

/** One coded frame on the stream timeline. */
export interface TimedFrame {
  readonly kind: 'video' | 'audio';
  /** decode timestamp, ms, on the stream's (extended) timeline */
  readonly dts: number;
  /** composition offset, ms (video) */
  readonly cto: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
}

/** audio frames kept before a node's first segment (only the last can still sound at its keyframe) */
const MAX_AUDIO_BEFORE_SEGMENT = 8;

interface PendingAudio {
  readonly dts: number;
  readonly data: Buffer;
}
interface PendingVideo {
  readonly dts: number;
  readonly cto: number;
  readonly keyframe: boolean;
  readonly data: Buffer;
}

/**
 * Cuts one stream's frames into LL-HLS parts and segments by a rule that reads only timestamps
 * and keyframe flags, so every node fed the same frames cuts them the same way, whenever it joined:
 *
 * - The grid: segment cell k covers [originTs + k*S, originTs + (k+1)*S); its MSN is
 *   floor(startedAtMs / S) + k (so numbers keep growing across publishes and epochs).
 * - Segment k starts at the first frame of the driving track (video, or audio when there is no
 *   video) at or after its grid line that is a keyframe, or that is `keyframeWaitMs` or more past
 *   the line. A cell in which no frame qualifies has no segment (the numbering then has a gap,
 *   which restarts the playlist window).
 * - Parts start at the segment start and at the first driving frame at or after each further P ms
 *   from it. Frames of the other track go to the part that is open when they
 *   arrive (every node receives them in the same order), except that an audio frame still
 *   sounding at a video keyframe that starts a part moves into that part: a player starting there
 *   then has audio from the keyframe's instant on (else the first few ms hold video only, and the
 *   player's buffer begins with a gap it has to seek over).
 * - A node starts with the first segment whose cell begins after the first frame it saw: it has
 *   then seen every frame of that segment, wherever it joined (a late edge starts from the GOP
 *   cache's keyframe, which may be in the middle of a cell).
 */
export class Segmenter {
  private video: VideoTrack | undefined;
  private audio: AudioTrack | undefined;
  private initName: string | undefined;
  private anchor: TimelineAnchor | undefined;
  /** grid cell of the first driving frame seen since the anchor was set (segments start after it) */
  private firstCell: number | undefined;
  private open: Segment | undefined;
  private openCell = 0;
  private openStartDts = 0;
  private partStartDts = 0;
  private partIndependent = false;
  private nextPartLine = 0;
  private pendingVideo: PendingVideo[] = [];
  private pendingAudio: PendingAudio[] = [];
  private lastVideoDuration = 0;
  private lastAudioDuration = 0;
  /** where the open segment's audio frames are placed from: its first audio frame, in track ticks (audioRun) */
  private audioOrigin: number | undefined;
  /** the open segment's last placed audio frame, in track ticks */
  private lastAudioTick: number | undefined;
  private discontinuityNext = false;
  /** MSN of the newest segment written */
  private lastMsn: number | undefined;
  /** discontinuity sequence number of the newest segment written */
  private lastDiscontinuitySequence: number | undefined;

  constructor(
    private readonly grid: ResolvedSegmentation,
    private readonly window: MediaWindow,
  ) {}

  get tracks(): { video: VideoTrack | undefined; audio: AudioTrack | undefined } {
    return { video: this.video, audio: this.audio };
  }

  /**
   * Codec configuration of the stream. A change closes the open segment (its frames need the old
   * init section); the next segment, in the next grid cell, uses the new one.
   */
  setTracks(video: VideoTrack | undefined, audio: AudioTrack | undefined): void {
    if (sameTrack(this.video, video) && sameTrack(this.audio, audio)) return;
    if (this.open !== undefined) {
      this.closeOpen(this.lastDrivingEnd());
      this.discontinuityNext = true;
    }
    this.video = video;
    this.audio = audio;
    if (video === undefined && audio === undefined) {
      this.initName = undefined;
      return;
    }
    const bytes = buildInitSegment(video, audio);
    // Named by content: every node that builds the same init gives it the same URI.
    const name = `init-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.mp4`;
    this.window.addInit({ name, bytes });
    this.initName = name;
  }

  /** A new timeline (first publish, a new epoch, or a restart of the source's clock). */
  setAnchor(anchor: TimelineAnchor): void {
    if (this.open !== undefined) this.closeOpen(this.lastDrivingEnd());
    // The first timeline a node sees follows nothing: flagging it would make nodes that joined at
    // different times disagree about EXT-X-DISCONTINUITY-SEQUENCE once it slides out of the window. The same
    // anchor again (an edge's relay re-pulled the same publish after a stall) continues the same timeline.
    if (!sameAnchor(this.anchor, anchor)) this.discontinuityNext = this.lastMsn !== undefined;
    this.anchor = anchor;
    this.firstCell = undefined;
  }

  push(frame: TimedFrame): void {
    const anchor = this.anchor;
    if (anchor === undefined || this.initName === undefined) return;
    if (frame.kind === 'video' ? this.video === undefined : this.audio === undefined) return;
    const driving = frame.kind === 'video' || this.video === undefined;
    if (driving) this.drivingFrame(frame, anchor);
    if (this.open === undefined) {
      // Before the first segment only the audio that may still sound at its keyframe is of use.
      if (!driving) {
        if (this.pendingAudio.length >= MAX_AUDIO_BEFORE_SEGMENT) this.pendingAudio.shift();
        this.pendingAudio.push({ dts: frame.dts, data: frame.data });
      }
      return;
    }
    if (frame.kind === 'video') this.pendingVideo.push({ dts: frame.dts, cto: frame.cto, keyframe: frame.keyframe, data: frame.data });
    else this.pendingAudio.push({ dts: frame.dts, data: frame.data });
  }

  /** The publisher left: close what is open. */
  end(): void {
    if (this.open !== undefined) this.closeOpen(this.lastDrivingEnd());
    this.window.end();
    this.firstCell = undefined;
  }

  private drivingFrame(frame: TimedFrame, anchor: TimelineAnchor): void {
    const S = this.grid.segmentMs;
    const rel = frame.dts - anchor.originTs;
    const cell = Math.floor(rel / S);
    const syncPoint = frame.kind === 'audio' || frame.keyframe;
    if (this.firstCell === undefined) this.firstCell = cell;
    const nextCell = this.open === undefined ? this.firstCell + 1 : this.openCell + 1;
    const startsSegment = cell >= nextCell && (syncPoint || rel - cell * S >= this.grid.keyframeWaitMs);
    const keyframe = frame.kind === 'video' && frame.keyframe;
    if (startsSegment) {
      if (this.open !== undefined) this.closeOpen(frame.dts, keyframe);
      this.pendingAudio = keyframe ? this.audioSoundingAt(frame.dts) : [];
      this.openSegment(frame, cell, anchor);
      return;
    }
    if (this.open !== undefined && frame.dts >= this.nextPartLine) {
      this.flushPart(frame.dts, keyframe);
      this.startPart(frame.dts, syncPoint);
    }
  }

  /** The pending audio frames that have not ended by `ts` (ms): they open the part that starts there. */
  private audioSoundingAt(ts: number): PendingAudio[] {
    const track = this.audio;
    if (track === undefined) return [];
    const frames = this.pendingAudio;
    let i = frames.length;
    while (i > 0) {
      const f = frames[i - 1]!;
      if (f.dts + (this.audioFrameSamples(track, f.data) * 1000) / track.timescale <= ts) break;
      i--;
    }
    return frames.slice(i);
  }

  /** An audio frame's length in samples as it tells it itself: the codec's fixed length, Opus's TOC, else the last one's. */
  private audioFrameSamples(track: AudioTrack, data: Buffer): number {
    return track.frameSamples ?? (track.codec === 'opus' ? opusPacketSamples(data) : undefined) ?? this.lastAudioDuration;
  }

  private openSegment(frame: TimedFrame, cell: number, anchor: TimelineAnchor): void {
    const S = this.grid.segmentMs;
    const msn = Math.floor(anchor.startedAtMs / S) + cell;
    if (this.lastMsn !== undefined && msn <= this.lastMsn) {
      // The new timeline's numbers overlap the old one's (its publisher's clock ran ahead of the wall clock):
      // list it as a node that joins now does, alone.
      this.window.clear();
      this.lastMsn = undefined;
    }
    // The listed window restarts here: this node's first segment, or a gap in the numbering (no frame for a
    // whole cell: an outage, a stall of this node's relay), which the window cannot list.
    const restart = this.lastMsn === undefined || msn !== this.lastMsn + 1;
    // a new timeline, a new codec configuration, or a restart
    const discontinuity = this.discontinuityNext || restart;
    this.discontinuityNext = false;
    this.lastMsn = msn;
    // Counted from the epoch (consecutive per stream in the registry), not from what this node happened to
    // see, so that an edge that lived through an origin failover and one that joined after it agree, and an
    // edge whose relay stalled agrees with the others: a restarted window shows no EXT-X-DISCONTINUITY to
    // count, so only a visible one (a new timeline or codec right after the previous segment) adds one.
    const last = this.lastDiscontinuitySequence;
    const discontinuitySequence = last === undefined ? anchor.epoch : restart ? Math.max(last, anchor.epoch) : discontinuity ? Math.max(last + 1, anchor.epoch) : last;
    this.lastDiscontinuitySequence = discontinuitySequence;
    const seg: Segment = {
      msn,
      dateMs: anchor.startedAtMs + (frame.dts - anchor.originTs),
      initName: this.initName!,
      discontinuity,
      discontinuitySequence,
      parts: [],
      duration: 0,
      complete: false,
    };
    this.window.startSegment(seg);
    this.open = seg;
    this.audioOrigin = undefined;
    this.lastAudioTick = undefined;
    this.openCell = cell;
    this.openStartDts = frame.dts;
    this.startPart(frame.dts, frame.kind === 'audio' || frame.keyframe);
  }

  private startPart(dts: number, independent: boolean): void {
    const P = this.grid.partMs;
    this.partStartDts = dts;
    this.partIndependent = independent;
    // Part lines count from the segment's first frame: with a steady keyframe interval every part is a
    // full part target long (lines counted from the grid would leave a sliver of a part before each
    // keyframe that sits a few ms past a grid line, and hls.js stalls on such slivers).
    this.nextPartLine = this.openStartDts + (Math.floor((dts - this.openStartDts) / P) + 1) * P;
  }

  /**
   * Writes the open part and completes the open segment, both ending at `endDts`; with `keepSounding`, audio
   * still sounding at `endDts` stays pending for the part that starts there.
   */
  private closeOpen(endDts: number, keepSounding = false): void {
    this.flushPart(endDts, keepSounding, true);
    this.window.completeSegment(Math.max(0, endDts - this.openStartDts) / 1000);
    this.open = undefined;
  }

  /**
   * Writes the open part, ending at `endDts` (the first driving frame after it); `keepSounding` as closeOpen;
   * `segmentEnds`: the audio kept pending opens the next segment.
   */
  private flushPart(endDts: number, keepSounding = false, segmentEnds = false): void {
    const seg = this.open;
    if (seg === undefined) return;
    const carried = keepSounding ? this.audioSoundingAt(endDts) : [];
    if (carried.length > 0) this.pendingAudio.length -= carried.length;
    const runs: FragmentTrackRun[] = [];
    if (this.pendingVideo.length > 0 && this.video !== undefined) runs.push(this.videoRun(endDts));
    if (this.pendingAudio.length > 0 && this.audio !== undefined) runs.push(this.audioRun(this.audio, carried[0], segmentEnds));
    this.pendingVideo = [];
    this.pendingAudio = carried;
    if (runs.length === 0) return;
    const index = seg.parts.length;
    // mfhd sequence numbers only need to grow within what a player appends; derived, so nodes agree.
    const sequence = ((seg.msn % 0x8000000) * 32 + Math.min(index, 31)) >>> 0;
    this.window.addPart({
      msn: seg.msn,
      index,
      duration: Math.max(0, endDts - this.partStartDts) / 1000,
      independent: this.partIndependent,
      bytes: buildFragment(sequence, runs),
    });
  }

  private videoRun(endDts: number): FragmentTrackRun {
    const frames = this.pendingVideo;
    const samples: FragmentSample[] = [];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const next = i + 1 < frames.length ? frames[i + 1]!.dts : endDts;
      const durationMs = next > f.dts ? next - f.dts : this.lastVideoDuration;
      this.lastVideoDuration = durationMs;
      samples.push({ data: f.data, duration: durationMs * 90, compositionOffset: f.cto * 90, keyframe: f.keyframe });
    }
    return { trackId: VIDEO_TRACK_ID, baseDecodeTime: frames[0]!.dts * 90, samples };
  }

  /**
   * The pending audio as a track run. `next` is the frame that follows the run, if it is already here (audio
   * still sounding where the next part starts); `segmentEnds`: the run is the segment's last, so the frame
   * after it opens the next segment (and its grid).
   */
  private audioRun(track: AudioTrack, next: PendingAudio | undefined, segmentEnds: boolean): FragmentTrackRun {
    const frames = this.pendingAudio;
    const rate = track.timescale;
    const exact = (ms: number): number => Math.round((ms * rate) / 1000);
    // RTMP carries whole milliseconds, so a frame's time in samples is off by up to half a millisecond. Where
    // the codec fixes the frame length (AAC: 1024), frames are placed on the grid of frame lengths that starts
    // at the segment's first audio frame: consecutive frames then touch exactly (no sub-millisecond gaps or
    // overlaps for the browser to splice), and every node serving the segment has seen that frame, so all place
    // alike. A grid fixed for the whole stream does not do: a source whose audio sits half a frame off it (one
    // in twenty by chance, and any looped input, which drifts at each seam) had its millisecond-rounded frames
    // land on the same slot or skip one, and Chromium dropped the rest of the segment from its buffer. A frame
    // whose slot is taken (the source's audio overlaps, as at a loop's seam) goes to the next free one.
    const grid = track.frameSamples;
    const origin = (this.audioOrigin ??= exact(frames[0]!.dts));
    const place = (ms: number, after: number | undefined): number => {
      if (grid === undefined) return exact(ms);
      const tick = origin + Math.round((exact(ms) - origin) / grid) * grid;
      return after !== undefined && tick < after + grid ? after + grid : tick;
    };
    const ticks: number[] = [];
    let last = this.lastAudioTick;
    for (const f of frames) {
      last = place(f.dts, last);
      ticks.push(last);
    }
    this.lastAudioTick = last;
    // where the frame after the run starts: the next segment's grid starts at it
    const nextTick = next === undefined ? undefined : segmentEnds ? exact(next.dts) : place(next.dts, last);
    // A segment's last frame with nothing sounding after it yet: the next segment's grid starts at its own first
    // frame, up to a millisecond of rounding off this one's, so this frame reaches a millisecond further (an
    // overlap the browser splices, never a hole in its buffer).
    const slack = next === undefined && segmentEnds ? Math.ceil(rate / 1000) : 0;
    const samples: FragmentSample[] = [];
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const isLast = i + 1 === frames.length;
      const following = isLast ? nextTick : ticks[i + 1];
      // up to the next frame (a gap in the source is spanned, not left as a hole); a frame the next one
      // overlaps keeps its own length
      const duration = following !== undefined && following > ticks[i]! ? following - ticks[i]! : this.audioFrameSamples(track, f.data) + (isLast ? slack : 0);
      this.lastAudioDuration = duration;
      samples.push({ data: f.data, duration, compositionOffset: 0, keyframe: true });
    }
    return { trackId: AUDIO_TRACK_ID, baseDecodeTime: ticks[0]!, samples };
  }

  /** Where the newest driving frame ends (for closing without a following frame). */
  private lastDrivingEnd(): number {
    if (this.video !== undefined) {
      const last = this.pendingVideo[this.pendingVideo.length - 1];
      return last === undefined ? this.partStartDts : last.dts + this.lastVideoDuration;
    }
    const last = this.pendingAudio[this.pendingAudio.length - 1];
    const rate = this.audio?.timescale ?? 1000;
    return last === undefined ? this.partStartDts : last.dts + Math.round((this.lastAudioDuration * 1000) / rate);
  }
}

function sameAnchor(a: TimelineAnchor | undefined, b: TimelineAnchor): boolean {
  return a !== undefined && a.epoch === b.epoch && a.startedAtMs === b.startedAtMs && a.originTs === b.originTs;
}

export interface TimestampRepairerOptions {
  /** a forward step larger than this is a discontinuity, default 3000 ms */
  jumpThresholdMs?: number;
  /** a backward step up to this is clamped per track, larger ones are a discontinuity, default 500 ms */
  backwardToleranceMs?: number;
  /** output step after a discontinuity (and after markDiscontinuity), default 10 ms */
  discontinuityStepMs?: number;
}

/** Tracks that are kept monotonic separately (so A/V offsets survive). */
export const TimestampTrack = { Audio: 0, Video: 1, Data: 2 } as const;
export type TimestampTrackId = (typeof TimestampTrack)[keyof typeof TimestampTrack];

const TWO_POW_32 = 4294967296;

/**
 * Turns the uint32 timestamps of one stream's input (possibly wrapping, jumping,
 * going backwards, restarting on a republish) into a continuous output timeline.
 *
 * The input is extended to a 64-bit timeline with signed 32-bit deltas, so a
 * wrap at 2^32 is just a small forward step. One offset is shared by all tracks
 * so audio/video sync is kept; a step of the stream head by more than the
 * thresholds rebases the offset so the output continues from where it was.
 * Each track's output never goes backwards; small cross-track backward steps
 * (interleaving jitter) pass unchanged. Output is uint32 (the 64-bit output
 * modulo 2^32), as RTMP carries it.
 */
export class TimestampRepairer {
  private readonly jumpThreshold: number;
  private readonly backwardTolerance: number;
  private readonly step: number;
  private started = false;
  private segmentStart = true;
  private lastRaw = 0;
  private extended = 0;
  private offset = 0;
  /** largest output so far, 64-bit, as a double (exact up to 2^53 ms) */
  private head = 0;
  private readonly trackLast = [0, 0, 0];
  private discontinuityCount = 0;

  constructor(options: TimestampRepairerOptions = {}) {
    this.jumpThreshold = options.jumpThresholdMs ?? 3000;
    this.backwardTolerance = options.backwardToleranceMs ?? 500;
    this.step = options.discontinuityStepMs ?? 10;
  }

  /** number of rebases (jumps, backward steps, marked discontinuities after the first segment) */
  get discontinuities(): number {
    return this.discontinuityCount;
  }

  /**
   * The input timestamp of the last repair() on a 64-bit timeline of its own, counted from the start of the
   * current segment (the first input after construction or markDiscontinuity): the source's own clock,
   * untouched by the rebases that keep the output continuous.
   */
  get sourceExtended(): number {
    return this.extended;
  }

  /** the newest output on the 64-bit timeline */
  get headExtended(): number {
    return this.head;
  }

  /** Map an input timestamp of a track to its output timestamp (uint32). */
  repair(inputTs: number, track: TimestampTrackId): number {
    return this.repairExtended(inputTs, track) % TWO_POW_32;
  }

  /** Like repair() but returns the output on the 64-bit timeline (exact up to 2^53 ms). */
  repairExtended(inputTs: number, track: TimestampTrackId): number {
    const raw = inputTs >>> 0;
    let out: number;
    if (this.segmentStart) {
      this.extended = raw;
      if (this.started) {
        out = this.head + this.step;
        this.offset = out - raw;
        this.discontinuityCount++;
      } else {
        out = raw;
        this.offset = 0;
        this.started = true;
      }
      this.segmentStart = false;
    } else {
      // Signed 32-bit difference: a wrap from 0xFFFFFFxx to small values is a small step.
      this.extended += (raw - this.lastRaw) | 0;
      out = this.extended + this.offset;
      if (out > this.head + this.jumpThreshold || out < this.head - this.backwardTolerance) {
        out = this.head + this.step;
        this.offset = out - this.extended;
        this.discontinuityCount++;
      } else if (out < this.trackLast[track]!) {
        out = this.trackLast[track]!;
      }
    }
    this.lastRaw = raw;
    this.trackLast[track] = out;
    if (out > this.head) this.head = out;
    return out;
  }

  /** Output timestamp for a message without timing of its own (sequence headers, metadata). */
  current(): number {
    return this.head % TWO_POW_32;
  }

  /** The next repair() starts a new segment that continues after the current head (republish, re-pull). */
  markDiscontinuity(): void {
    this.segmentStart = true;
  }
}

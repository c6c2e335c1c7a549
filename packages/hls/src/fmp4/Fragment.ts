import { BoxWriter } from './BoxWriter.js';
import { AUDIO_TRACK_ID, VIDEO_TRACK_ID } from './Track.js';

/** One coded frame ready for a trun: times in the track's timescale. */
export interface FragmentSample {
  readonly data: Buffer;
  readonly duration: number;
  /** composition offset (pts - dts), signed */
  readonly compositionOffset: number;
  readonly keyframe: boolean;
}

export interface FragmentTrackRun {
  readonly trackId: typeof VIDEO_TRACK_ID | typeof AUDIO_TRACK_ID;
  /** decode time of the first sample, in the track's timescale */
  readonly baseDecodeTime: number;
  readonly samples: readonly FragmentSample[];
}

// trun flags: data-offset, sample duration, size, flags, composition time offset
const TRUN_VIDEO_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
const TRUN_AUDIO_FLAGS = 0x000001 | 0x000100 | 0x000200;
/** tfhd: default-base-is-moof, so data offsets count from the moof's first byte */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
/** sample_depends_on = 2 (an I picture) */
const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1, sample_is_non_sync_sample = 1 */
const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

/**
 * One CMAF fragment: moof (mfhd, one traf per non-empty run: tfhd, tfdt, trun) and one mdat with
 * the samples of every run, in run order. The bytes depend only on the arguments, so every node
 * that feeds the same samples gets the same fragment.
 */
export function buildFragment(sequenceNumber: number, runs: readonly FragmentTrackRun[]): Buffer {
  const present = runs.filter((r) => r.samples.length > 0);
  if (present.length === 0) throw new RangeError('a fragment needs at least one sample');
  let mdatPayload = 0;
  for (const r of present) for (const s of r.samples) mdatPayload += s.data.length;
  const w = new BoxWriter(256 + present.reduce((n, r) => n + r.samples.length * 16, 0) + mdatPayload);
  w.box('moof');
  w.fullBox('mfhd', 0, 0).u32(sequenceNumber).close();
  const dataOffsetFields: number[] = [];
  for (const r of present) {
    const isVideo = r.trackId === VIDEO_TRACK_ID;
    w.box('traf');
    w.fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF).u32(r.trackId).close();
    w.fullBox('tfdt', 1, 0).u64(r.baseDecodeTime).close();
    w.fullBox('trun', isVideo ? 1 : 0, isVideo ? TRUN_VIDEO_FLAGS : TRUN_AUDIO_FLAGS).u32(r.samples.length);
    dataOffsetFields.push(w.mark());
    w.u32(0);
    for (const s of r.samples) {
      w.u32(s.duration).u32(s.data.length);
      if (isVideo) w.u32(s.keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS).i32(s.compositionOffset);
    }
    w.close(); // trun
    w.close(); // traf
  }
  w.close(); // moof
  const moofSize = w.length;
  let offset = moofSize + 8;
  for (let i = 0; i < present.length; i++) {
    w.patchU32(dataOffsetFields[i]!, offset);
    for (const s of present[i]!.samples) offset += s.data.length;
  }
  w.box('mdat');
  for (const r of present) for (const s of r.samples) w.bytes(s.data);
  w.close();
  return w.finish();
}

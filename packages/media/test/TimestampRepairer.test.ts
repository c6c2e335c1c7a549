import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimestampRepairer, TimestampTrack } from '../src/index.js';

const V = TimestampTrack.Video;
const A = TimestampTrack.Audio;
const U32 = 4294967296;

function run(r: TimestampRepairer, inputs: Array<[number, 0 | 1]>): number[] {
  return inputs.map(([ts, track]) => r.repairExtended(ts, track));
}

describe('TimestampRepairer', () => {
  it('passes a sane stream through unchanged, including A/V interleave jitter', () => {
    const r = new TimestampRepairer();
    const input: Array<[number, 0 | 1]> = [
      [1000, V], [990, A], [1033, V], [1013, A], [1066, V], [1036, A], [1100, V],
    ];
    expect(run(r, input)).toEqual(input.map(([ts]) => ts));
    expect(r.discontinuities).toBe(0);
  });

  it('clamps a small backward step per track and keeps later deltas', () => {
    const r = new TimestampRepairer({ backwardToleranceMs: 500 });
    expect(run(r, [[1000, V], [1040, V], [1020, V], [1080, V]])).toEqual([1000, 1040, 1040, 1080]);
    expect(r.discontinuities).toBe(0);
  });

  it('rebases a large backward step so output continues right after the last output', () => {
    const r = new TimestampRepairer({ backwardToleranceMs: 500, discontinuityStepMs: 10 });
    expect(run(r, [[50_000, V], [50_040, V], [100, V], [140, V]])).toEqual([50_000, 50_040, 50_050, 50_090]);
    expect(r.discontinuities).toBe(1);
  });

  it('rebases a forward jump above the threshold', () => {
    const r = new TimestampRepairer({ jumpThresholdMs: 3000, discontinuityStepMs: 10 });
    expect(run(r, [[0, V], [40, V], [600_000, V], [600_040, A], [600_080, V]])).toEqual([0, 40, 50, 90, 130]);
    expect(r.discontinuities).toBe(1);
  });

  it('treats the uint32 wrap as a small forward step and emits uint32', () => {
    const r = new TimestampRepairer();
    const start = U32 - 80;
    const out = [start, start + 40, 0, 40, 80].map((ts) => r.repair(ts >>> 0, V));
    expect(out).toEqual([U32 - 80, U32 - 40, 0, 40, 80]);
    expect(r.headExtended).toBe(U32 + 80);
    expect(r.discontinuities).toBe(0);
  });

  it('continues after markDiscontinuity (republish) instead of restarting at the new input', () => {
    const r = new TimestampRepairer({ discontinuityStepMs: 10 });
    run(r, [[5000, V], [5040, V]]);
    r.markDiscontinuity();
    expect(run(r, [[0, V], [40, V], [20, A]])).toEqual([5050, 5090, 5070]);
  });

  it('current() reports the head as uint32 (for sequence headers and metadata)', () => {
    const r = new TimestampRepairer();
    expect(r.current()).toBe(0);
    r.repair(U32 - 10, V);
    r.repair(30, V);
    expect(r.current()).toBe(30);
  });

  describe('properties', () => {
    const track = fc.constantFrom<0 | 1>(A, V);
    const anyInput = fc.array(fc.tuple(fc.integer({ min: 0, max: U32 - 1 }), track), { minLength: 1, maxLength: 300 });

    it('output is never decreasing per track, and the head never goes back, whatever the input', () => {
      fc.assert(
        fc.property(anyInput, fc.array(fc.nat(299)), (inputs, breaks) => {
          const r = new TimestampRepairer();
          const last = [-1, -1];
          let head = -1;
          const breakAt = new Set(breaks);
          inputs.forEach(([ts, t], i) => {
            if (breakAt.has(i)) r.markDiscontinuity();
            const out = r.repairExtended(ts, t);
            expect(out).toBeGreaterThanOrEqual(last[t]!);
            // small cross-track steps are allowed, but never below head - tolerance (default 500)
            expect(out).toBeGreaterThanOrEqual(head - 500);
            expect(Number.isInteger(out)).toBe(true);
            last[t] = out;
            head = Math.max(head, out);
          });
        }),
      );
    });

    it('single-track output is monotonic non-decreasing', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: U32 - 1 }), { minLength: 1, maxLength: 300 }), (inputs) => {
          const r = new TimestampRepairer();
          let prev = -Infinity;
          for (const ts of inputs) {
            const out = r.repairExtended(ts, V);
            expect(out).toBeGreaterThanOrEqual(prev);
            prev = out;
          }
        }),
      );
    });

    it('preserves every delta of a sane input (steps 0..threshold), across the 2^32 wrap', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: U32 - 1 }),
          fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 300 }),
          (start, steps) => {
            const r = new TimestampRepairer({ jumpThresholdMs: 3000 });
            let ts = start;
            let prevOut = r.repairExtended(ts, V);
            expect(prevOut).toBe(start);
            for (const step of steps) {
              ts = (ts + step) % U32;
              const out = r.repairExtended(ts, V);
              expect(out - prevOut).toBe(step);
              expect(out % U32).toBe(ts);
              prevOut = out;
            }
            expect(r.discontinuities).toBe(0);
          },
        ),
      );
    });
  });
});

/**
 * The fan-out bench's reading of the node's send-latency histogram: quantiles of what was observed between two
 * scrapes, interpolated inside the bucket that holds them, and the share within 30 ms.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs bench module without types
import { sendLatencyBetween } from '../bench/fanout/NodeSendLatency.mjs';

const buckets = (counts: Array<[number, number]>): Map<number, number> => new Map(counts);

describe('sendLatencyBetween', () => {
  it('takes the difference of two cumulative readings and interpolates inside the bucket', () => {
    const before = buckets([
      [0.01, 5],
      [0.02, 10],
      [0.03, 10],
      [0.05, 10],
      [Infinity, 10],
    ]);
    // 100 new observations: 20 under 10 ms, 60 in 10-20 ms, 10 in 20-30 ms, 10 in 30-50 ms
    const after = buckets([
      [0.01, 25],
      [0.02, 90],
      [0.03, 100],
      [0.05, 110],
      [Infinity, 110],
    ]);
    const r = sendLatencyBetween(before, after) as { observations: number; p50Ms: number; p99Ms: number; within30MsShare: number };
    expect(r.observations).toBe(100);
    // rank 50: 20 below the 10-20 ms bucket, 30 of its 60 -> halfway, 15 ms
    expect(r.p50Ms).toBeCloseTo(15, 6);
    // rank 99: 90 below the 30-50 ms bucket, 9 of its 10 -> 48 ms
    expect(r.p99Ms).toBeCloseTo(48, 6);
    expect(r.within30MsShare).toBeCloseTo(0.9, 6);
  });

  it('has no quantiles when nothing was observed', () => {
    const same = buckets([
      [0.03, 4],
      [Infinity, 4],
    ]);
    expect(sendLatencyBetween(same, same)).toMatchObject({ observations: 0, p50Ms: null, p99Ms: null });
  });
});

import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/Backoff.js';

describe('Backoff', () => {
  it('grows by the factor up to the cap, jitter takes at most the configured fraction', () => {
    const top = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    const bottom = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, random: () => 0.999999 });
    expect([1, 2, 3].map(() => bottom.next())).toEqual([50, 100, 200]);
  });

  it('reset starts over; thousands of attempts stay finite', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 500, random: () => 0 });
    for (let i = 0; i < 5000; i++) expect(b.next()).toBeLessThanOrEqual(500);
    expect(b.attempts).toBe(5000);
    b.reset();
    expect(b.next()).toBe(10);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(RangeError);
  });
});

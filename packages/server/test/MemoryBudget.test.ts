import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../src/MemoryBudget.js';

describe('MemoryBudget', () => {
  it('counts partial messages exactly and output queues as sampled, and refuses new connections near the limit', () => {
    const b = new MemoryBudget(1000);
    expect(b.adjustPartial(600)).toBe(false);
    b.setOutput(250);
    expect(b.heldBytes).toBe(850);
    expect(b.admitsNew).toBe(true);
    expect(b.adjustPartial(50)).toBe(false);
    expect(b.admitsNew).toBe(false); // 900 of 1000
    expect(b.adjustPartial(101)).toBe(true);
    expect(b.isOver).toBe(true);
    b.adjustPartial(-751);
    expect(b.heldBytes).toBe(250);
    expect(b.admitsNew).toBe(true);
  });

  it('closes nothing within the budget, and over it the largest holders until the rest hold half of it', () => {
    const b = new MemoryBudget(1000);
    const holders = [
      { id: 'publisher', bytes: 40 },
      { id: 'a1', bytes: 300 },
      { id: 'a2', bytes: 310 },
      { id: 'idle', bytes: 0 },
      { id: 'a3', bytes: 290 },
    ];
    b.adjustPartial(940);
    expect(b.selectToClose(holders, (h) => h.bytes)).toEqual([]);
    b.adjustPartial(100);
    b.setOutput(60);
    // 1100 held: down to 500 needs 600 freed: a2 (310) and a1 (300)
    expect(b.selectToClose(holders, (h) => h.bytes).map((h) => h.id)).toEqual(['a2', 'a1']);
  });

  it('rejects a budget that is not positive', () => {
    expect(() => new MemoryBudget(0)).toThrow(RangeError);
  });
});

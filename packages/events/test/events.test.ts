import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, matchesFilter, type ClusterEvent } from '../src/index.js';

const published = (key: string, app: string, name: string) =>
  ({ v: 1, ts: 1, nodeId: 'o1', type: 'stream.published', key, app, name, originId: 'o1', originAddress: '10.0.0.1:1935', epoch: 3 }) as const;

describe('events carry stream keys by the core rule', () => {
  it('accepts a key whose app is its first segment and whose name may hold slashes', () => {
    const e = decodeEvent(encodeEvent(published('premium/a/b', 'premium', 'a/b')));
    expect(matchesFilter(e, { app: 'premium' })).toBe(true);
    expect(matchesFilter(e, { app: 'premium/a' })).toBe(false);
    expect(matchesFilter(e, { key: 'premium/a/b' })).toBe(true);
  });

  it('refuses an event whose app/name disagree with its key, or whose key breaks the rule', () => {
    const bad: ClusterEvent[] = [
      published('premium/a/b', 'premium/a', 'b') as ClusterEvent,
      published('live/cam 1', 'live', 'cam 1') as ClusterEvent,
      published('live/../x', 'live', '../x') as ClusterEvent,
      { v: 1, ts: 1, nodeId: 'e', type: 'session.kicked', sessionId: 's', kind: 'player', key: 'nokey', reason: 'r' },
    ];
    for (const e of bad) expect(() => decodeEvent(JSON.stringify(e)), JSON.stringify(e)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

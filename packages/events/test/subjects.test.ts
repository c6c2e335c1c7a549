import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeToken, encodeToken, EventBusError, SubjectScheme } from '@rtmp-cluster/events';

describe('subject scheme', () => {
  it('keeps plain names readable and escapes everything else', () => {
    expect(encodeToken('cam_1-HD')).toBe('cam_1-HD');
    expect(encodeToken('a.b')).toBe('a~2Eb');
    expect(encodeToken('x*>~ ')).toBe('x~2A~3E~7E~20');
    expect(encodeToken('ü')).toBe('~C3~BC');
    expect(() => encodeToken('')).toThrow(EventBusError);
    expect(() => decodeToken('a.b')).toThrow(EventBusError);
    expect(() => decodeToken('~zz')).toThrow(EventBusError);
  });

  it('round-trips any string into one valid NATS token', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (s) => {
        const token = encodeToken(s);
        expect(token).toMatch(/^[A-Za-z0-9_~-]+$/);
        expect(decodeToken(token)).toBe(s);
      }),
    );
  });

  it('builds the documented subjects', () => {
    const s = new SubjectScheme();
    const base = { v: 1, ts: 1, nodeId: 'origin-0' } as const;
    expect(
      s.forEvent({ ...base, type: 'stream.published', key: 'live/a.b', app: 'live', name: 'a.b', originId: 'o', originAddress: 'h:1', epoch: 1 }),
    ).toBe('rtmpc.v1.stream.published.live.a~2Eb');
    expect(
      s.forEvent({ ...base, type: 'stream.unpublished', key: 'live/x', app: 'live', name: 'x', originId: 'o', epoch: 1, reason: 'r' }),
    ).toBe('rtmpc.v1.stream.unpublished.live.x');
    expect(s.forEvent({ ...base, type: 'node.draining', role: 'origin', address: 'h:1' })).toBe('rtmpc.v1.node.origin-0.draining');
    expect(s.forEvent({ ...base, type: 'session.kicked', sessionId: 's', kind: 'player', reason: 'r' })).toBe(
      'rtmpc.v1.session.kicked.origin-0',
    );
    expect(s.commands('edge.7')).toBe('rtmpc.v1.node.edge~2E7.cmd');
    expect(s.forFilter({ key: 'live/cam*1', types: ['stream.published'] })).toEqual(['rtmpc.v1.stream.published.live.cam~2A1']);
    expect(s.forFilter({ key: 'live/a/b', types: ['stream.published'] })).toEqual(['rtmpc.v1.stream.published.live.a~2Fb']);
    // A filter key follows the one StreamKey rule: one that no stream can have is refused, not silently unmatched.
    expect(() => s.forFilter({ key: 'live/cam 1' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(s.forFilter({ nodeId: 'e1', types: ['node.up', 'session.kicked'] })).toEqual([
      'rtmpc.v1.node.e1.up',
      'rtmpc.v1.session.kicked.e1',
    ]);
    expect(s.forFilter({}).length).toBe(6);
    expect(new SubjectScheme('acme.prod').commands('n')).toBe('acme.prod.v1.node.n.cmd');
    expect(() => new SubjectScheme('bad prefix')).toThrow(EventBusError);
    expect(() => s.forFilter({ key: 'nokey' })).toThrow(EventBusError);
  });
});

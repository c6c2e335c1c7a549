import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_APP_LENGTH,
  MAX_NAME_LENGTH,
  StreamKeyError,
  formatStreamKey,
  isValidStreamKey,
  parseStreamKey,
  pathStreamKey,
  rtmpStreamKey,
  splitQuery,
} from '../src/index.js';

function problemOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StreamKeyError);
    expect((err as StreamKeyError).code).toBe('INVALID_STREAM_KEY');
    expect((err as StreamKeyError).qualifiedCode).toBe('stream.INVALID_STREAM_KEY');
    return (err as StreamKeyError).problem;
  }
  return undefined;
}

describe('StreamKey: one rule for app and name', () => {
  it('splits at the first slash: the app is one segment, the name is the rest', () => {
    expect(parseStreamKey('live/cam1')).toEqual({ app: 'live', name: 'cam1', key: 'live/cam1' });
    expect(parseStreamKey('premium/a/b')).toEqual({ app: 'premium', name: 'a/b', key: 'premium/a/b' });
  });

  it('every RTMP spelling of one stream is one key with app = first segment', () => {
    const spellings: [string, string][] = [
      ['premium/a', 'b'],
      ['premium', 'a/b'],
      ['/premium/a/', 'b'],
      ['premium/a?x=1', 'b?token=t'],
      ['premium?token=t', 'a/b'],
    ];
    for (const [app, name] of spellings) {
      const k = rtmpStreamKey(app, name);
      expect([k.app, k.name, k.key]).toEqual(['premium', 'a/b', 'premium/a/b']);
    }
    expect(pathStreamKey('/premium/a/b?token=t')).toEqual({ app: 'premium', name: 'a/b', key: 'premium/a/b', query: { token: 't' } });
  });

  it('returns the app and name queries apart, decoded, first value winning', () => {
    const k = rtmpStreamKey('live?token=app&x=1', 'cam?token=name&token=again&sp=a%20b');
    expect(k.appQuery).toEqual({ token: 'app', x: '1' });
    expect(k.nameQuery).toEqual({ token: 'name', sp: 'a b' });
    expect(splitQuery('a?__proto__=x').query['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(splitQuery('a?__proto__=x').query)).toBe(Object.prototype);
  });

  it('refuses what cannot be a URL path, a Redis key or a subject token, with the problem named', () => {
    const vectors: [string, string][] = [
      ['', 'empty'],
      ['live', 'no-name'],
      ['live/', 'no-name'],
      ['/cam', 'empty'],
      ['live//cam', 'bad-segment'],
      ['live/a/', 'bad-segment'],
      ['live/../admin', 'bad-segment'],
      ['live/./cam', 'bad-segment'],
      ['../live/cam', 'bad-segment'],
      ['live/cam 1', 'bad-character'],
      ['live/cam\n1', 'bad-character'],
      ['live/cam\u0000', 'bad-character'],
      ['live/cam%2F1', 'bad-character'],
      ['live/cam#1', 'bad-character'],
      ['live/cam?x', 'bad-character'],
      ['live/caméra', 'bad-character'],
      ['live/cam\\1', 'bad-character'],
      [`${'a'.repeat(MAX_APP_LENGTH + 1)}/x`, 'too-long'],
      [`live/${'n'.repeat(MAX_NAME_LENGTH + 1)}`, 'too-long'],
    ];
    for (const [key, problem] of vectors) expect(problemOf(() => parseStreamKey(key)), key).toBe(problem);
    expect(isValidStreamKey(`${'a'.repeat(MAX_APP_LENGTH)}/${'n'.repeat(MAX_NAME_LENGTH)}`)).toBe(true);
    expect(isValidStreamKey("live/cam-1_2.3~!$&'()*+,;=:@")).toBe(true);
    expect(problemOf(() => rtmpStreamKey('live', ''))).toBe('no-name');
    expect(problemOf(() => rtmpStreamKey('', 'cam'))).toBe('empty');
    expect(problemOf(() => rtmpStreamKey('live', '?token=x'))).toBe('no-name');
    expect(problemOf(() => formatStreamKey('a/b', 'c'))).toBe('bad-character');
    expect(formatStreamKey('live', 'a/b')).toBe('live/a/b');
  });

  const segment = fc.stringMatching(/^[A-Za-z0-9\-_~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@]{0,11}$/);
  const segments = fc.array(segment, { minLength: 2, maxLength: 6 });

  it('format(parse(x)) is x for every valid key', () => {
    fc.assert(
      fc.property(segments, (parts) => {
        const key = parts.join('/');
        const parsed = parseStreamKey(key);
        expect(formatStreamKey(parsed.app, parsed.name)).toBe(key);
        expect(parsed.app).toBe(parts[0]);
      }),
    );
  });

  it('every split of a path between connect app and name, with or without queries, gives one key', () => {
    fc.assert(
      fc.property(segments, fc.nat(), fc.boolean(), fc.boolean(), (parts, cut, appQuery, nameQuery) => {
        const at = 1 + (cut % (parts.length - 1));
        const app = parts.slice(0, at).join('/') + (appQuery ? '?token=a' : '');
        const name = parts.slice(at).join('/') + (nameQuery ? '?token=n&x=%2F' : '');
        const k = rtmpStreamKey(app, name);
        expect(k.key).toBe(parts.join('/'));
        expect(k.app).toBe(parts[0]);
        expect(k.name).toBe(parts.slice(1).join('/'));
        expect(pathStreamKey(`/${k.key}${nameQuery ? '?a=1' : ''}`).key).toBe(k.key);
      }),
    );
  });

  it('never accepts a key with a character outside the safe set', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (s) => {
        const ok = isValidStreamKey(`live/${s}`);
        const safe = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+(\/[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*$/.test(s)
          && !s.split('/').some((x) => x === '.' || x === '..');
        expect(ok).toBe(safe);
      }),
    );
  });
});

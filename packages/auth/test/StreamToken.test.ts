import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError, buildSignedUrl, KeyRing, signStreamToken, verifyStreamToken, type SigningKey } from '../src/index.js';

const K1: SigningKey = { id: 'k1', secret: 'first-secret-0123456789' };
const K2: SigningKey = { id: 'k2', secret: 'second-secret-987654321' };
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0); // ms
const NOW_S = NOW / 1000;

function mint(over: Partial<Parameters<typeof signStreamToken>[0]> = {}): string {
  return signStreamToken({ action: 'publish', app: 'live', name: 'cam1', keyId: K1.id, secret: K1.secret, ttlSeconds: 3600, now: NOW, ...over });
}

describe('signStreamToken / verifyStreamToken', () => {
  it('round-trips and reports key id and expiry', () => {
    const token = mint();
    expect(token).toMatch(/^k1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token); // URL-safe as is
    const result = verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW });
    expect(result).toEqual({ ok: true, keyId: 'k1', expiresAt: NOW_S + 3600 });
  });

  it('accepts expiresAt as a Date or unix seconds, and refuses milliseconds', () => {
    const a = mint({ ttlSeconds: undefined, expiresAt: new Date(NOW + 60_000) });
    const b = mint({ ttlSeconds: undefined, expiresAt: NOW_S + 60 });
    expect(a).toBe(b);
    expect(a.split('.')[1]).toBe(String(NOW_S + 60));
    expect(() => mint({ ttlSeconds: undefined, expiresAt: NOW + 60_000 })).toThrow(AuthError);
  });

  it('refuses to sign without expiry, with a short secret, a bad key id or an empty name', () => {
    const codes = [
      () => mint({ ttlSeconds: undefined }),
      () => mint({ secret: 'short' }),
      () => mint({ keyId: 'bad.id' }),
      () => mint({ name: '' }),
      () => mint({ ttlSeconds: -5 }),
    ].map((f) => {
      try {
        f();
        return 'no error';
      } catch (err) {
        return (err as AuthError).code;
      }
    });
    expect(codes).toEqual(Array(5).fill('AUTH_SIGN_INVALID'));
  });

  it('expires after exp + clock skew, with a readable reason', () => {
    const token = mint({ ttlSeconds: 60 });
    const at = (offsetS: number) =>
      verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW + offsetS * 1000, clockSkewSeconds: 30 });
    expect(at(60).ok).toBe(true);
    expect(at(90).ok).toBe(true); // within skew
    const late = at(95);
    expect(late).toEqual({ ok: false, reasonCode: 'expired', reason: "token expired 35 s ago (key 'k1')" });
    expect(at(61 + 0).ok).toBe(true);
    const noSkew = verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW + 61_000, clockSkewSeconds: 0 });
    expect(noSkew.ok).toBe(false);
  });

  it('rejects an unknown key id and a key id pointing at the wrong secret', () => {
    const token = mint();
    const unknown = verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys: [K2], now: NOW });
    expect(unknown).toMatchObject({ ok: false, reasonCode: 'unknown_key' });
    const swapped = verifyStreamToken(token, {
      action: 'publish', app: 'live', name: 'cam1', keys: [{ id: 'k1', secret: K2.secret }], now: NOW,
    });
    expect(swapped).toMatchObject({ ok: false, reasonCode: 'bad_signature' });
  });

  it('rotation: old and new keys both verify while configured; the old one fails once removed', () => {
    const oldToken = mint();
    const newToken = mint({ keyId: K2.id, secret: K2.secret });
    const both = new KeyRing([K1, K2]);
    const onlyNew = new KeyRing([K2]);
    const check = (t: string, keys: KeyRing) => verifyStreamToken(t, { action: 'publish', app: 'live', name: 'cam1', keys, now: NOW });
    expect(check(oldToken, both)).toMatchObject({ ok: true, keyId: 'k1' });
    expect(check(newToken, both)).toMatchObject({ ok: true, keyId: 'k2' });
    expect(check(newToken, onlyNew)).toMatchObject({ ok: true, keyId: 'k2' });
    expect(check(oldToken, onlyNew)).toMatchObject({ ok: false, reasonCode: 'unknown_key' });
  });

  it('is bound to action, app and name', () => {
    const token = mint();
    const base = { action: 'publish' as const, app: 'live', name: 'cam1', keys: [K1], now: NOW };
    expect(verifyStreamToken(token, { ...base, action: 'play' })).toMatchObject({ ok: false, reasonCode: 'bad_signature' });
    expect(verifyStreamToken(token, { ...base, app: 'live2' })).toMatchObject({ ok: false, reasonCode: 'bad_signature' });
    expect(verifyStreamToken(token, { ...base, name: 'cam2' })).toMatchObject({ ok: false, reasonCode: 'bad_signature' });
    // field boundaries cannot be shifted: app 'a/b' + name 'c' is not app 'a' + name 'b/c'
    const shifted = mint({ app: 'a/b', name: 'c' });
    expect(verifyStreamToken(shifted, { ...base, app: 'a', name: 'b/c' })).toMatchObject({ ok: false, reasonCode: 'bad_signature' });
  });

  it('rejects an edited expiry even when the signature part is kept', () => {
    const token = mint({ ttlSeconds: 60 });
    const [kid, exp, sig] = token.split('.') as [string, string, string];
    const extended = `${kid}.${Number(exp) + 86_400}.${sig}`;
    const result = verifyStreamToken(extended, { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW });
    expect(result).toMatchObject({ ok: false, reasonCode: 'bad_signature' });
    const leadingZero = `${kid}.0${exp}.${sig}`;
    expect(verifyStreamToken(leadingZero, { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW })).toMatchObject({
      ok: false,
      reasonCode: 'malformed_token',
    });
  });

  it('never quotes a secret in a reason', () => {
    const token = mint();
    const results = [
      verifyStreamToken(token, { action: 'play', app: 'live', name: 'cam1', keys: [K1], now: NOW }),
      verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW + 10 * 3600_000 }),
      verifyStreamToken('garbage', { action: 'publish', app: 'live', name: 'cam1', keys: [K1], now: NOW }),
    ];
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).not.toContain(K1.secret);
    }
  });

  it('fuzz: any mutation of a valid token is rejected', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/% ';
    const keys = new KeyRing([K1, K2]);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), ch: fc.constantFrom(...alphabet) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), ch: fc.constantFrom(...alphabet) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), ch: fc.constant('') }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(K1, K2),
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 60, max: 10 * 365 * 86_400 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (key, app, name, ttl, edits) => {
          const token = signStreamToken({ action: 'play', app, name, keyId: key.id, secret: key.secret, ttlSeconds: ttl, now: NOW });
          let mutated = token;
          for (const e of edits) {
            const at = e.at % (mutated.length + (e.kind === 'insert' ? 1 : 0) || 1);
            if (e.kind === 'replace') mutated = mutated.slice(0, at) + e.ch + mutated.slice(at + 1);
            else if (e.kind === 'insert') mutated = mutated.slice(0, at) + e.ch + mutated.slice(at);
            else mutated = mutated.slice(0, at) + mutated.slice(at + 1);
          }
          fc.pre(mutated !== token);
          const opts = { action: 'play' as const, app, name, keys, now: NOW };
          expect(verifyStreamToken(token, opts).ok).toBe(true);
          expect(verifyStreamToken(mutated, opts).ok).toBe(false);
        },
      ),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 2000) },
    );
  });

  it('fuzz: a token verifies only for the exact action/app/name it was signed for', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom('publish' as const, 'play' as const), fc.string({ minLength: 1 }), fc.string({ minLength: 1 })),
        fc.tuple(fc.constantFrom('publish' as const, 'play' as const), fc.string({ minLength: 1 }), fc.string({ minLength: 1 })),
        ([a1, app1, name1], [a2, app2, name2]) => {
          const token = signStreamToken({ action: a1, app: app1, name: name1, keyId: 'k1', secret: K1.secret, ttlSeconds: 60, now: NOW });
          const same = a1 === a2 && app1 === app2 && name1 === name2;
          expect(verifyStreamToken(token, { action: a2, app: app2, name: name2, keys: [K1], now: NOW }).ok).toBe(same);
        },
      ),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 1000) },
    );
  });
});

describe('buildSignedUrl', () => {
  const opts = { action: 'play' as const, app: 'live', name: 'cam1', keyId: 'k1', secret: K1.secret, ttlSeconds: 600, now: NOW };

  it('appends app, name and the token to a base URL', () => {
    const url = buildSignedUrl('rtmp://edge.example:1935', opts);
    const token = signStreamToken(opts);
    expect(url).toBe(`rtmp://edge.example:1935/live/cam1?token=${token}`);
    expect(buildSignedUrl('rtmps://edge.example/', opts)).toBe(`rtmps://edge.example/live/cam1?token=${token}`);
    expect(buildSignedUrl('rtmp://edge.example/live', opts)).toBe(`rtmp://edge.example/live/cam1?token=${token}`);
  });

  it('refuses base URLs it cannot extend and names that would break the URL', () => {
    expect(() => buildSignedUrl('http://edge.example', opts)).toThrow(expect.objectContaining({ code: 'AUTH_URL_INVALID' }));
    expect(() => buildSignedUrl('rtmp://edge.example/other', opts)).toThrow(expect.objectContaining({ code: 'AUTH_URL_INVALID' }));
    expect(() => buildSignedUrl('rtmp://edge.example', { ...opts, name: 'cam?x=1' })).toThrow(
      expect.objectContaining({ code: 'AUTH_SIGN_INVALID' }),
    );
  });
});

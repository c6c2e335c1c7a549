import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AccessPolicy,
  RELAY_TOKEN_FIELD,
  readRelayCredential,
  signStreamToken,
  validateAccessPolicyConfig,
  verifyRelayCredential,
  type AuthDecision,
  type AccessPolicyConfig,
  type AccessRequest,
} from '../src/index.js';

const K1 = { id: 'k1', secret: 'first-secret-0123456789' };
const K2 = { id: 'k2', secret: 'second-secret-987654321' };
const NOW = Date.UTC(2025, 5, 1, 8, 0, 0);
const RELAY_TOKEN = 'relay-credential-abcdef0123';

function req(over: Partial<AccessRequest> = {}): AccessRequest {
  return { app: 'live', name: 'cam1', query: {}, clientIp: '127.0.0.1', ...over };
}

function token(action: 'publish' | 'play', over: { app?: string; name?: string; key?: typeof K1; ttl?: number } = {}): string {
  const key = over.key ?? K1;
  return signStreamToken({
    action,
    app: over.app ?? 'live',
    name: over.name ?? 'cam1',
    keyId: key.id,
    secret: key.secret,
    ttlSeconds: over.ttl ?? 600,
    now: NOW,
  });
}

function policy(config: AccessPolicyConfig, clock: { now: number } = { now: NOW }): AccessPolicy {
  return new AccessPolicy(config, { now: () => clock.now, nodeId: 'origin-1' });
}

function expectDenied(d: AuthDecision): Extract<AuthDecision, { allowed: false }> {
  expect(d.allowed).toBe(false);
  if (d.allowed) throw new Error('unreachable');
  return d;
}

describe('AccessPolicy: token mode', () => {
  const config: AccessPolicyConfig = { publish: { mode: 'token' }, keys: [K1] };

  it('accepts a token in the publish name query', async () => {
    const d = await policy(config).authorizePublish(req({ query: { token: token('publish') } }));
    expect(d).toMatchObject({ allowed: true, via: 'token', keyId: 'k1', expiresAt: NOW / 1000 + 600 });
    expect(d.reason).toBe("token valid (key 'k1', expires in 600 s)");
  });

  it('accepts a token in the app query (tcUrl query parsed by the server)', async () => {
    const d = await policy(config).authorizePublish(
      req({ appQuery: { token: token('publish') }, tcUrl: 'rtmp://h/live?token=ignored-because-appQuery-wins' }),
    );
    expect(d).toMatchObject({ allowed: true, via: 'token' });
  });

  it('reads the tcUrl query itself when the server passed no appQuery', async () => {
    const d = await policy(config).authorizePublish(req({ tcUrl: `rtmp://127.0.0.1:1935/live?token=${token('publish')}` }));
    expect(d).toMatchObject({ allowed: true, via: 'token' });
  });

  it('strips a query left on app or name before binding', async () => {
    const t = token('publish');
    const d = await policy(config).authorizePublish(req({ app: `live?token=${t}`, name: `cam1?token=${t}`, query: { token: t } }));
    expect(d.allowed).toBe(true);
  });

  it('denies a missing token with Publish.Unauthorized and a readable description', async () => {
    const d = expectDenied(await policy(config).authorizePublish(req()));
    expect(d).toMatchObject({ code: 'NetStream.Publish.Unauthorized', reasonCode: 'missing_credential', via: 'token' });
    expect(d.description).toBe('Publishing refused: authorization required (missing token or key)');
  });

  it('denies an expired token and says how long ago it expired', async () => {
    const clock = { now: NOW };
    const p = policy({ ...config, clockSkewSeconds: 30 }, clock);
    const t = token('publish', { ttl: 60 });
    clock.now = NOW + 125_000;
    const d = expectDenied(await p.authorizePublish(req({ query: { token: t } })));
    expect(d).toMatchObject({ reasonCode: 'expired', reason: "token expired 65 s ago (key 'k1')" });
    expect(d.description).toBe('Publishing refused: token expired');
  });

  it('denies a token for another stream, another action or a tampered one, without leaking the secret', async () => {
    const p = policy(config);
    const denials = [
      await p.authorizePublish(req({ query: { token: token('publish', { name: 'cam2' }) } })),
      await p.authorizePublish(req({ query: { token: token('play') } })),
      await p.authorizePublish(req({ query: { token: token('publish').replace(/\.(\d)/, '.9') } })),
      await p.authorizePublish(req({ query: { token: 'nonsense' } })),
    ].map(expectDenied);
    expect(denials.map((d) => d.reasonCode)).toEqual(['bad_signature', 'bad_signature', 'bad_signature', 'malformed_token']);
    for (const d of denials) {
      expect(d.description).toBe('Publishing refused: invalid token');
      expect(JSON.stringify(d)).not.toContain(K1.secret);
    }
  });

  it('rotation: a policy with both keys accepts both; one without the old key rejects it', async () => {
    const both = policy({ publish: { mode: 'token' }, keys: [K1, K2] });
    const onlyNew = policy({ publish: { mode: 'token' }, keys: [K2] });
    const oldT = token('publish', { key: K1 });
    const newT = token('publish', { key: K2 });
    expect((await both.authorizePublish(req({ query: { token: oldT } }))).allowed).toBe(true);
    expect((await both.authorizePublish(req({ query: { token: newT } }))).allowed).toBe(true);
    expect((await onlyNew.authorizePublish(req({ query: { token: newT } }))).allowed).toBe(true);
    expect(expectDenied(await onlyNew.authorizePublish(req({ query: { token: oldT } }))).reasonCode).toBe('unknown_key');
  });

  it('empty stream name is a BadName', async () => {
    const d = expectDenied(await policy(config).authorizePublish(req({ name: '' })));
    expect(d).toMatchObject({ code: 'NetStream.Publish.BadName', reasonCode: 'invalid_name' });
  });
});

describe('AccessPolicy: play per app', () => {
  const config: AccessPolicyConfig = {
    publish: { mode: 'token' },
    play: { mode: 'none', apps: { premium: 'token' } },
    keys: [K1],
    relayToken: RELAY_TOKEN,
  };

  it('open apps play freely; token apps need a play token', async () => {
    const p = policy(config);
    expect(await p.authorizePlay(req())).toMatchObject({ allowed: true, via: 'none' });
    const denied = expectDenied(await p.authorizePlay(req({ app: 'premium' })));
    expect(denied).toMatchObject({ code: 'NetStream.Play.Unauthorized', reasonCode: 'missing_credential' });
    const ok = await p.authorizePlay(req({ app: 'premium', query: { token: token('play', { app: 'premium' }) } }));
    expect(ok).toMatchObject({ allowed: true, via: 'token' });
    // a publish token does not open playback
    const wrong = await p.authorizePlay(req({ app: 'premium', query: { token: token('publish', { app: 'premium' }) } }));
    expect(expectDenied(wrong).reasonCode).toBe('bad_signature');
    expect(p.modeFor('play', 'premium')).toBe('token');
    expect(p.modeFor('play', 'toString')).toBe('none');
  });

  it('relays pass play auth: verified by the server, or by their connect-object credential (never a query)', async () => {
    const p = policy(config);
    expect(await p.authorizePlay(req({ app: 'premium', isRelay: true }))).toMatchObject({ allowed: true, via: 'relay' });
    expect(await p.authorizePlay(req({ app: 'premium', relayCredential: RELAY_TOKEN }))).toMatchObject({ allowed: true, via: 'relay' });
    expect(await p.authorizePlay(req({ app: 'premium', query: { [RELAY_TOKEN_FIELD]: RELAY_TOKEN } }))).toMatchObject({
      allowed: false,
      reasonCode: 'missing_credential',
    });
  });

  it('an outsider posing as a relay is refused, and relay status never opens publishing', async () => {
    const p = policy(config);
    const posing = expectDenied(await p.authorizePlay(req({ app: 'premium', relayCredential: 'guess' })));
    expect(posing).toMatchObject({ reasonCode: 'bad_relay_credential', code: 'NetStream.Play.Unauthorized' });
    expect(JSON.stringify(posing)).not.toContain(RELAY_TOKEN);
    const publish = expectDenied(await p.authorizePublish(req({ isRelay: true, relayCredential: RELAY_TOKEN })));
    expect(publish.reasonCode).toBe('missing_credential');
  });

  it('without a configured relay token nobody is a relay', async () => {
    const p = policy({ play: { mode: 'token' }, keys: [K1] });
    const d = expectDenied(await p.authorizePlay(req({ relayCredential: RELAY_TOKEN })));
    expect(d.reasonCode).toBe('missing_credential');
  });
});

describe('AccessPolicy: static keys', () => {
  const config: AccessPolicyConfig = {
    publish: { mode: 'static' },
    staticKeys: { 'live/cam1': 'cam1-key', 'live/*': ['app-key-old', 'app-key-new'], 'studio/main': 'studio-key' },
  };

  it('exact entries, wildcard entries and key lists', async () => {
    const p = policy(config);
    expect(await p.authorizePublish(req({ query: { key: 'cam1-key' } }))).toMatchObject({ allowed: true, via: 'static' });
    expect(await p.authorizePublish(req({ name: 'cam7', query: { key: 'app-key-old' } }))).toMatchObject({ allowed: true });
    expect(await p.authorizePublish(req({ name: 'cam7', query: { token: 'app-key-new' } }))).toMatchObject({ allowed: true });
    expect(await p.authorizePublish(req({ name: 'cam7', appQuery: { key: 'app-key-new' } }))).toMatchObject({ allowed: true });
  });

  it('denies wrong keys, the app key on a stream with its own key, and unknown streams', async () => {
    const p = policy(config);
    const wrong = expectDenied(await p.authorizePublish(req({ query: { key: 'nope' } })));
    expect(wrong).toMatchObject({ reasonCode: 'wrong_key', description: 'Publishing refused: invalid stream key' });
    expect(JSON.stringify(wrong)).not.toContain('cam1-key');
    expect(expectDenied(await p.authorizePublish(req({ query: { key: 'app-key-new' } }))).reasonCode).toBe('wrong_key');
    expect(expectDenied(await p.authorizePublish(req({ app: 'studio', name: 'other', query: { key: 'studio-key' } }))).reason).toBe(
      'no static key configured for studio/other',
    );
    expect(expectDenied(await p.authorizePublish(req())).reasonCode).toBe('missing_credential');
  });
});

describe('validateAccessPolicyConfig', () => {
  it('accepts an empty config as allow-all', async () => {
    const p = new AccessPolicy();
    expect(await p.authorizePublish(req())).toMatchObject({ allowed: true, via: 'none' });
    expect(validateAccessPolicyConfig(undefined)).toEqual({});
  });

  it('lists every problem, never quoting a secret', () => {
    const raw = {
      publish: { mode: 'token', extra: 1 },
      play: { apps: { premium: 'magic' } },
      keys: [{ id: 'k1', secret: 'short-secret' }, { id: 'k 2', secret: 'long-enough-secret-xyz' }],
      staticKeys: { nocolon: 'x' },
      webhook: { url: 'ftp://hook', timeoutMs: 0, failOpen: 'yes' },
      clockSkewSeconds: -1,
      bogus: true,
    };
    let message = '';
    try {
      validateAccessPolicyConfig(raw);
    } catch (err) {
      expect((err as { code: string }).code).toBe('AUTH_CONFIG_INVALID');
      message = (err as Error).message;
    }
    for (const path of ['bogus:', 'publish.extra:', 'play.apps.premium:', 'keys[0]:', 'keys[1]:', 'staticKeys:', 'webhook.url:',
      'webhook.timeoutMs:', 'webhook.failOpen:', 'clockSkewSeconds:']) {
      expect(message).toContain(path);
    }
    expect(message).not.toContain('short-secret');
  });

  it('a logged policy object shows no secret', () => {
    const p = new AccessPolicy({
      publish: { mode: 'token' },
      keys: [K1],
      staticKeys: { 'live/cam1': 'static-key-value-1' },
      webhook: { url: 'http://127.0.0.1:9/hook', headers: { authorization: 'Bearer hook-header-secret' } },
      relayToken: RELAY_TOKEN,
    });
    for (const text of [JSON.stringify(p), inspect(p, { depth: 10, showHidden: true })]) {
      for (const secret of [K1.secret, 'static-key-value-1', 'hook-header-secret', RELAY_TOKEN]) expect(text).not.toContain(secret);
    }
  });

  it('requires what a mode needs', () => {
    expect(() => new AccessPolicy({ publish: { mode: 'token' } })).toThrow(/mode 'token' needs at least one signing key/);
    expect(() => new AccessPolicy({ play: { apps: { x: 'static' } } })).toThrow(/mode 'static' needs at least one entry/);
    expect(() => new AccessPolicy({ publish: { mode: 'webhook' } })).toThrow(/mode 'webhook' needs webhook.url/);
    expect(() => new AccessPolicy({ keys: [K1, { ...K2, id: 'k1' }] })).toThrow(/duplicate key id 'k1'/);
  });
});

describe('relay credential', () => {
  it('verifies only the exact configured token', () => {
    expect(verifyRelayCredential(RELAY_TOKEN, RELAY_TOKEN)).toBe(true);
    expect(verifyRelayCredential(`${RELAY_TOKEN}x`, RELAY_TOKEN)).toBe(false);
    expect(verifyRelayCredential(RELAY_TOKEN.slice(0, -1), RELAY_TOKEN)).toBe(false);
    expect(verifyRelayCredential('', '')).toBe(false);
    expect(verifyRelayCredential(RELAY_TOKEN, undefined)).toBe(false);
    expect(verifyRelayCredential(undefined, RELAY_TOKEN)).toBe(false);
    expect(verifyRelayCredential(12345, '12345')).toBe(false);
  });

  it('reads the relay credential from the connect object only, never from a query', async () => {
    expect(RELAY_TOKEN_FIELD).toBe('rtmpcRelayToken');
    expect(readRelayCredential({ app: 'live', rtmpcRelayToken: 'a' })).toBe('a');
    expect(readRelayCredential({ rtmpcRelayToken: 42 })).toBeUndefined();
    // A play query carrying the right credential is an ordinary player (here: refused for want of a token).
    const p = policy({ play: { mode: 'token' }, keys: [K1], relayToken: RELAY_TOKEN });
    expect(await p.authorizePlay(req({ query: { rtmpcRelayToken: RELAY_TOKEN } }))).toMatchObject({ allowed: false });
    expect(readRelayCredential(null)).toBeUndefined();
  });
});

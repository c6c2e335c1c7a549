import { describe, expect, it } from 'vitest';
import { runSignCommand, verifyStreamToken } from '../src/index.js';

const SECRET = 'cli-secret-0123456789abcdef';
const ENV = { RTMPC_KEY_K1: SECRET };
const NOW = Date.UTC(2025, 2, 3, 4, 5, 6);
const now = () => NOW;
const BASE = ['sign', '--action', 'publish', '--app', 'live', '--name', 'cam1', '--key-id', 'k1', '--secret-env', 'RTMPC_KEY_K1'];

describe('runSignCommand', () => {
  it('prints a token that verifies for the requested stream and ttl', () => {
    const out = runSignCommand([...BASE, '--ttl', '120'], ENV, { now });
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^k1\.\d+\.[A-Za-z0-9_-]{43}\n$/);
    const token = out.stdout.trim();
    const keys = [{ id: 'k1', secret: SECRET }];
    expect(verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys, now: NOW })).toEqual({
      ok: true,
      keyId: 'k1',
      expiresAt: Math.floor(NOW / 1000) + 120,
    });
    expect(verifyStreamToken(token, { action: 'publish', app: 'live', name: 'cam1', keys, now: NOW + 121_000, clockSkewSeconds: 0 }).ok).toBe(false);
  });

  it('defaults to a one-hour ttl and accepts argv without the subcommand and --flag=value', () => {
    const out = runSignCommand(['--action=play', '--app=live', '--name=cam1', '--key-id=k1', '--secret-env=RTMPC_KEY_K1'], ENV, { now });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.split('.')[1]).toBe(String(Math.floor(NOW / 1000) + 3600));
  });

  it('prints the full URL with --url', () => {
    const out = runSignCommand([...BASE, '--url', 'rtmp://127.0.0.1:1935'], ENV, { now });
    expect(out.exitCode).toBe(0);
    const token = runSignCommand(BASE, ENV, { now }).stdout.trim();
    expect(out.stdout).toBe(`rtmp://127.0.0.1:1935/live/cam1?token=${token}\n`);
  });

  it('accepts --expires-at as unix seconds or ISO-8601', () => {
    const a = runSignCommand([...BASE, '--expires-at', '1900000000'], ENV, { now });
    const b = runSignCommand([...BASE, '--expires-at', new Date(1_900_000_000_000).toISOString()], ENV, { now });
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.split('.')[1]).toBe('1900000000');
  });

  it('missing secret: exit 2 with a clear message that does not print any secret', () => {
    const out = runSignCommand(BASE, {}, { now });
    expect(out.exitCode).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain("sign: environment variable RTMPC_KEY_K1 is not set (it must hold the secret of key 'k1')");
    const empty = runSignCommand(BASE, { RTMPC_KEY_K1: '' }, { now });
    expect(empty.exitCode).toBe(2);
  });

  it('usage errors exit 2 and name the problem', () => {
    const cases: [string[], string][] = [
      [BASE.filter((a) => a !== '--secret-env' && a !== 'RTMPC_KEY_K1'), 'missing --secret-env'],
      [['sign', '--app', 'live'], 'missing --action'],
      [[...BASE.slice(0, 2), 'delete', ...BASE.slice(3)], "--action must be publish or play, not 'delete'"],
      [[...BASE, '--ttl', 'soon'], "--ttl must be a positive whole number of seconds, not 'soon'"],
      [[...BASE, '--ttl', '5', '--expires-at', '1900000000'], 'give --ttl or --expires-at, not both'],
      [[...BASE, '--frobnicate'], "unknown argument '--frobnicate'"],
      [[...BASE, '--url'], '--url needs a value'],
    ];
    for (const [argv, message] of cases) {
      const out = runSignCommand(argv, ENV, { now });
      expect(out.exitCode, message).toBe(2);
      expect(out.stderr).toContain(`sign: ${message}`);
      expect(out.stderr).toContain('usage: sign');
      expect(out.stdout).toBe('');
    }
  });

  it('signing failures exit 1: a short secret, a bad key id, a bad base URL', () => {
    expect(runSignCommand(BASE, { RTMPC_KEY_K1: 'short' }, { now })).toMatchObject({ exitCode: 1, stdout: '' });
    expect(runSignCommand(BASE, { RTMPC_KEY_K1: 'short' }, { now }).stderr).toBe('sign: secret must be at least 16 characters\n');
    const badKid = runSignCommand(BASE.map((a) => (a === 'k1' ? 'k.1' : a)), ENV, { now });
    expect(badKid.exitCode).toBe(1);
    expect(badKid.stderr).toContain('keyId must be');
    const badUrl = runSignCommand([...BASE, '--url', 'http://x'], ENV, { now });
    expect(badUrl).toMatchObject({ exitCode: 1 });
    expect(badUrl.stderr).toContain('base URL must look like rtmp://host[:port]');
  });

  it('--help prints usage and exits 0', () => {
    const out = runSignCommand(['sign', '--help'], {}, { now });
    expect(out).toMatchObject({ exitCode: 0, stderr: '' });
    expect(out.stdout).toContain('--secret-env');
  });
});

describe('runSignCommand --keys-env', () => {
  const LIST = { RTMPC_AUTH_KEYS: `k1:${SECRET},k2:other-secret-0123456789` };
  const ARGS = ['sign', '--action', 'publish', '--app', 'live', '--name', 'cam1', '--keys-env', 'RTMPC_AUTH_KEYS'];

  it('signs with the first key of the list, or the one --key-id names', () => {
    const first = runSignCommand(ARGS, LIST, { now });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe(runSignCommand(BASE, ENV, { now }).stdout);
    const second = runSignCommand([...ARGS, '--key-id', 'k2'], LIST, { now });
    expect(second.stdout.startsWith('k2.')).toBe(true);
    const keys = [{ id: 'k2', secret: 'other-secret-0123456789' }];
    expect(verifyStreamToken(second.stdout.trim(), { action: 'publish', app: 'live', name: 'cam1', keys, now: NOW }).ok).toBe(true);
  });

  it('names a missing key id, a malformed list and a missing variable without printing secrets', () => {
    const missing = runSignCommand([...ARGS, '--key-id', 'k9'], LIST, { now });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("RTMPC_AUTH_KEYS has no key 'k9' (it has 'k1', 'k2')");
    expect(missing.stderr).not.toContain(SECRET);
    const bad = runSignCommand(ARGS, { RTMPC_AUTH_KEYS: `k1:${SECRET},oops` }, { now });
    expect(bad.stderr).toContain('RTMPC_AUTH_KEYS: entry 2 must be KEY_ID:SECRET');
    expect(bad.stderr).not.toContain(SECRET);
    expect(runSignCommand(ARGS, {}, { now }).stderr).toContain('environment variable RTMPC_AUTH_KEYS is not set');
    expect(runSignCommand([...ARGS, '--secret-env', 'X'], LIST, { now }).stderr).toContain('give --secret-env or --keys-env, not both');
  });
});

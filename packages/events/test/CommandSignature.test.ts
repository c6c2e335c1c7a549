import { describe, expect, it } from 'vitest';
import { CommandAuthError, CommandVerifier, COMMAND_WINDOW_MS, signCommand, type NodeCommand } from '../src/index.js';
import { runCommand } from '../src/commands.js';
import { thrownBy } from '../../../test/support/thrownBy.js';

const SECRET = 'cluster-secret-for-vectors';
const T0 = 1_767_000_000_000;
const NONCE = '00112233445566778899aabbccddeeff';
const DRAIN: NodeCommand = { cmd: 'drain', timeoutMs: 5000, stay: true };

const refusal = (f: () => unknown): string => thrownBy(f, CommandAuthError).code;

describe('node command signatures', () => {
  it('a fixed vector: HMAC-SHA256 over name, target, sorted arguments, time and nonce', () => {
    const env = signCommand(SECRET, 'origin-1', DRAIN, T0, NONCE);
    expect(env.auth).toEqual({ target: 'origin-1', iat: T0, nonce: NONCE, sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    // Argument order does not matter (the node may see JSON keys in another order).
    expect(signCommand(SECRET, 'origin-1', { stay: true, timeoutMs: 5000, cmd: 'drain' } as NodeCommand, T0, NONCE).auth.sig).toBe(env.auth.sig);
    // Every signed field changes the signature.
    for (const other of [
      signCommand(SECRET, 'origin-2', DRAIN, T0, NONCE),
      signCommand(SECRET, 'origin-1', { cmd: 'drain', timeoutMs: 5001, stay: true }, T0, NONCE),
      signCommand(SECRET, 'origin-1', { cmd: 'undrain' }, T0, NONCE),
      signCommand(SECRET, 'origin-1', DRAIN, T0 + 1, NONCE),
      signCommand(SECRET, 'origin-1', DRAIN, T0, `${NONCE.slice(0, -1)}0`),
      signCommand(`${SECRET}x`, 'origin-1', DRAIN, T0, NONCE),
    ]) expect(other.auth.sig).not.toBe(env.auth.sig);
  });

  it('valid: the command comes back, once', () => {
    const v = new CommandVerifier(SECRET, 'origin-1');
    const env = signCommand(SECRET, 'origin-1', DRAIN, T0, NONCE);
    expect(v.verify(JSON.parse(JSON.stringify(env)), T0 + 1000)).toEqual(DRAIN);
    expect(refusal(() => v.verify(env, T0 + 2000))).toBe('COMMAND_REPLAYED');
    // Random nonces by default: two signatures of the same command are both accepted.
    expect(v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0), T0)).toEqual(DRAIN);
    expect(v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0), T0)).toEqual(DRAIN);
  });

  it('unsigned, wrong secret, another target, tampered arguments: refused', () => {
    const v = new CommandVerifier(SECRET, 'origin-1');
    expect(refusal(() => v.verify(DRAIN, T0))).toBe('COMMAND_UNSIGNED');
    expect(refusal(() => v.verify({ command: DRAIN }, T0))).toBe('COMMAND_UNSIGNED');
    expect(refusal(() => v.verify(null, T0))).toBe('COMMAND_UNSIGNED');
    expect(refusal(() => v.verify(signCommand('some-other-secret-0123', 'origin-1', DRAIN, T0, NONCE), T0))).toBe('COMMAND_BAD_SIGNATURE');
    // Signed for another node: not replayable here.
    expect(refusal(() => v.verify(signCommand(SECRET, 'origin-2', DRAIN, T0, NONCE), T0))).toBe('COMMAND_BAD_SIGNATURE');
    const env = signCommand(SECRET, 'origin-1', DRAIN, T0, NONCE);
    expect(refusal(() => v.verify({ ...env, auth: { ...env.auth, target: 'origin-1 ' } }, T0))).toBe('COMMAND_BAD_SIGNATURE');
    expect(refusal(() => v.verify({ ...env, command: { ...DRAIN, timeoutMs: 1 } }, T0))).toBe('COMMAND_BAD_SIGNATURE');
    expect(refusal(() => v.verify({ ...env, command: { cmd: 'undrain' } }, T0))).toBe('COMMAND_BAD_SIGNATURE');
    expect(refusal(() => v.verify({ ...env, auth: { ...env.auth, iat: T0 + 1 } }, T0))).toBe('COMMAND_BAD_SIGNATURE');
    // None of these used up the nonce: the genuine command is still accepted.
    expect(v.verify(env, T0)).toEqual(DRAIN);
  });

  it('stale: outside ±30 s of the node clock, either way', () => {
    const v = new CommandVerifier(SECRET, 'origin-1');
    expect(refusal(() => v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0 - COMMAND_WINDOW_MS - 1), T0))).toBe('COMMAND_STALE');
    expect(refusal(() => v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0 + COMMAND_WINDOW_MS + 1), T0))).toBe('COMMAND_STALE');
    expect(v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0 - COMMAND_WINDOW_MS), T0)).toEqual(DRAIN);
  });

  it('the nonce cache is bounded: expired nonces are forgotten; a full cache refuses instead of forgetting', () => {
    const v = new CommandVerifier(SECRET, 'origin-1', 2);
    v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0, `${NONCE}01`), T0);
    v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0, `${NONCE}02`), T0);
    expect(refusal(() => v.verify(signCommand(SECRET, 'origin-1', DRAIN, T0, `${NONCE}03`), T0))).toBe('COMMAND_NONCE_CACHE_FULL');
    // Past the window the old nonces are stale anyway, so they make room.
    const later = T0 + COMMAND_WINDOW_MS + 1;
    expect(v.verify(signCommand(SECRET, 'origin-1', DRAIN, later, `${NONCE}03`), later)).toEqual(DRAIN);
  });

  it('runCommand answers a refused command with its typed code and never runs the handler', async () => {
    const v = new CommandVerifier(SECRET, 'origin-1');
    let ran = 0;
    const reply = await runCommand(() => ++ran, JSON.stringify(DRAIN), (p) => v.verify(p, T0));
    expect(reply).toEqual({ ok: false, error: { code: 'COMMAND_UNSIGNED', message: expect.stringContaining('not signed') } });
    const ok = await runCommand(() => ++ran, JSON.stringify(signCommand(SECRET, 'origin-1', DRAIN, T0)), (p) => v.verify(p, T0));
    expect(ok).toEqual({ ok: true, result: 1 });
    expect(ran).toBe(1);
  });
});

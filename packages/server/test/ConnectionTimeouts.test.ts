import { describe, expect, it } from 'vitest';
import { ConnectionTimeouts, type ConnectionActivity } from '../src/ConnectionTimeouts.js';

const options = { handshakeTimeoutMs: 1000, idleTimeoutMs: 3000, pingIntervalMs: 500, pingTimeoutMs: 2000 };
const session = (over: Partial<ConnectionActivity> = {}): ConnectionActivity => ({
  phase: 'session',
  pendingPingSince: undefined,
  mayBeSilent: false,
  canPing: true,
  ...over,
});

describe('ConnectionTimeouts', () => {
  it('closes a handshake that takes too long, whatever arrives meanwhile', () => {
    const t = new ConnectionTimeouts(0, options);
    t.input(900);
    expect(t.check(999, session({ phase: 'handshake' })).action).toBe('none');
    expect(t.check(1000, session({ phase: 'handshake' }))).toMatchObject({ action: 'close', reason: 'HANDSHAKE_TIMEOUT' });
  });

  it('pings every interval and closes a silent connection at the idle timeout unless it may be silent', () => {
    const t = new ConnectionTimeouts(0, { ...options, pingTimeoutMs: 10_000 });
    expect(t.check(499, session()).action).toBe('none');
    expect(t.check(500, session()).action).toBe('ping');
    expect(t.check(600, session()).action).toBe('none');
    expect(t.check(3000, session({ mayBeSilent: true })).action).toBe('ping');
    expect(t.check(3000, session())).toMatchObject({ action: 'close', reason: 'IDLE_TIMEOUT' });
    t.input(3000);
    expect(t.check(3100, session()).action).toBe('none');
  });

  it('closes when a ping stays unanswered and nothing else arrived for the ping timeout', () => {
    const t = new ConnectionTimeouts(0, options);
    const waiting = session({ pendingPingSince: 500, mayBeSilent: true, canPing: false });
    t.input(1000);
    expect(t.check(2600, waiting).action).toBe('none');
    expect(t.check(3000, waiting)).toMatchObject({ action: 'close', reason: 'PING_TIMEOUT' });
  });
});

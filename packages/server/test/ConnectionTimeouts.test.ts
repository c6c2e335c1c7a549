import { describe, expect, it } from 'vitest';
import { ConnectionTimeouts, type ConnectionActivity } from '../src/ConnectionTimeouts.js';

const options = { handshakeTimeoutMs: 1000, idleTimeoutMs: 3000, pingIntervalMs: 500, pingTimeoutMs: 2000 };
const session = (over: Partial<ConnectionActivity> = {}): ConnectionActivity => ({
  phase: 'session',
  pendingPingSince: undefined,
  role: 'none',
  mediaMessages: 0,
  pendingDecisions: 0,
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

  it('pings every interval and closes a connection that neither publishes nor plays at the idle timeout, input or not', () => {
    const t = new ConnectionTimeouts(0, { ...options, pingTimeoutMs: 10_000 });
    expect(t.check(499, session()).action).toBe('none');
    expect(t.check(500, session()).action).toBe('ping');
    expect(t.check(600, session()).action).toBe('none');
    // ping answers and acknowledgements keep arriving: still idle
    t.input(2900);
    expect(t.check(3000, session())).toMatchObject({ action: 'close', reason: 'IDLE_TIMEOUT', message: 'neither publishing nor playing for 3000 ms' });
  });

  it('never closes a player for idleness, and starts the idle clock again when its play ends', () => {
    const t = new ConnectionTimeouts(0, { ...options, pingIntervalMs: 0 });
    expect(t.check(1000, session({ role: 'player' })).action).toBe('none');
    expect(t.check(100_000, session({ role: 'player' })).action).toBe('none');
    expect(t.check(101_000, session()).action).toBe('none');
    expect(t.check(103_999, session()).action).toBe('none');
    expect(t.check(104_000, session())).toMatchObject({ action: 'close', reason: 'IDLE_TIMEOUT' });
  });

  it('closes a publisher whose media stopped for the idle timeout', () => {
    const t = new ConnectionTimeouts(0, { ...options, pingIntervalMs: 0 });
    expect(t.check(1000, session({ role: 'publisher' })).action).toBe('none');
    expect(t.check(3500, session({ role: 'publisher', mediaMessages: 10 })).action).toBe('none');
    expect(t.check(6000, session({ role: 'publisher', mediaMessages: 500 })).action).toBe('none');
    expect(t.check(8999, session({ role: 'publisher', mediaMessages: 500 })).action).toBe('none');
    expect(t.check(9000, session({ role: 'publisher', mediaMessages: 500 }))).toMatchObject({
      action: 'close',
      reason: 'IDLE_TIMEOUT',
      message: 'publisher sent no media for 3000 ms',
    });
  });

  it('gives a connection waiting for an access decision one more idle period, not more', () => {
    const t = new ConnectionTimeouts(0, { ...options, pingIntervalMs: 0 });
    expect(t.check(3000, session({ pendingDecisions: 1 })).action).toBe('none');
    expect(t.check(5999, session({ pendingDecisions: 1 })).action).toBe('none');
    expect(t.check(6000, session({ pendingDecisions: 1 }))).toMatchObject({ action: 'close', reason: 'IDLE_TIMEOUT' });
  });

  it('closes when a ping stays unanswered and nothing else arrived for the ping timeout', () => {
    const t = new ConnectionTimeouts(0, options);
    const waiting = session({ pendingPingSince: 500, role: 'player', canPing: false });
    t.input(1000);
    expect(t.check(2600, waiting).action).toBe('none');
    expect(t.check(3000, waiting)).toMatchObject({ action: 'close', reason: 'PING_TIMEOUT' });
  });
});

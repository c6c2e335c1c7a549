import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConnectionAdmission } from '../src/ConnectionAdmission.js';

const limits = { maxConnections: 3, maxConnectionsPerIp: 2, connectionRatePerIp: 1, connectionBurstPerIp: 3, maxPublishers: 1 };

describe('ConnectionAdmission', () => {
  it('refuses past the per-address and server-wide limits and admits again after release', () => {
    const a = new ConnectionAdmission({ ...limits, connectionRatePerIp: 0 }, pino({ level: 'silent' }));
    expect(a.admit('10.0.0.1', 0, false)).toBeUndefined();
    expect(a.admit('10.0.0.1', 0, false)).toBeUndefined();
    expect(a.admit('10.0.0.1', 0, false)).toBe('MAX_CONNECTIONS_PER_IP');
    expect(a.admit('10.0.0.2', 0, false)).toBeUndefined();
    expect(a.admit('10.0.0.3', 0, false)).toBe('MAX_CONNECTIONS');
    a.release('10.0.0.1');
    expect(a.admit('10.0.0.3', 0, false)).toBeUndefined();
    expect(a.stats().connectionsAccepted).toBe(4);
  });

  it('refuses every new connection while the node is at its memory budget, and admits again below it', () => {
    let full = true;
    const a = new ConnectionAdmission({ ...limits, connectionRatePerIp: 0 }, pino({ level: 'silent' }), () => !full);
    expect(a.checkRate('10.0.0.1', 0)).toBe('MEMORY_BUDGET');
    expect(a.admit('10.0.0.1', 0, false)).toBe('MEMORY_BUDGET');
    expect(a.admit('10.0.0.1', 0, true)).toBe('MEMORY_BUDGET');
    full = false;
    expect(a.admit('10.0.0.1', 0, false)).toBeUndefined();
  });

  it('takes a rate token once: at TCP accept for TLS, else at admission', () => {
    const a = new ConnectionAdmission({ ...limits, maxConnectionsPerIp: 10, maxConnections: 10 }, pino({ level: 'silent' }));
    expect(a.checkRate('10.0.0.1', 0)).toBeUndefined();
    expect(a.admit('10.0.0.1', 0, true)).toBeUndefined();
    expect(a.admit('10.0.0.1', 0, false)).toBeUndefined();
    expect(a.admit('10.0.0.1', 0, false)).toBeUndefined();
    expect(a.admit('10.0.0.1', 0, false)).toBe('CONNECTION_RATE_LIMITED');
    // one token per second comes back
    expect(a.admit('10.0.0.1', 1000, false)).toBeUndefined();
  });

  it('refuses everyone once it stops accepting, and counts and throttles refusal logs', () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const a = new ConnectionAdmission(limits, log);
    a.stopAccepting();
    expect(a.checkRate('10.0.0.1', 0)).toBe('SERVER_SHUTDOWN');
    expect(a.admit('10.0.0.1', 0, true)).toBe('SERVER_SHUTDOWN');
    expect(a.refusal('SERVER_SHUTDOWN', '10.0.0.1', {}, 0)).toBe('server shutting down');
    a.refusal('SERVER_SHUTDOWN', '10.0.0.1', {}, 500);
    a.refusal('SERVER_SHUTDOWN', '10.0.0.1', {}, 1500);
    expect(a.stats().connectionsRefused).toBe(3);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!).suppressedSinceLastLog).toBe(1);
  });

  it('counts refused publishes at the publisher limit', () => {
    const a = new ConnectionAdmission(limits, pino({ level: 'silent' }));
    expect(a.publishAllowed(0)).toBe(true);
    expect(a.publishAllowed(1)).toBe(false);
    expect(a.stats().publishesRefused).toBe(1);
  });
});

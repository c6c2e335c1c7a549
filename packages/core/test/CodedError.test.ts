import { describe, expect, it } from 'vitest';
import { CodedError, ManualClock, isCodedError, qualifiedCodeOf, silentLogger, type ErrorDomain, type Logger } from '../src/index.js';

class SampleError extends CodedError<'BROKEN'> {
  readonly domain: ErrorDomain = 'registry';
}

describe('CodedError', () => {
  it('keeps the short code and exposes the namespaced one', () => {
    const cause = new Error('low level');
    const err = new SampleError('BROKEN', 'it broke', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(isCodedError(err)).toBe(true);
    expect(err.code).toBe('BROKEN');
    expect(err.qualifiedCode).toBe('registry.BROKEN');
    expect(qualifiedCodeOf(err)).toBe('registry.BROKEN');
    expect(qualifiedCodeOf(new Error('x'))).toBeUndefined();
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('it broke');
  });
});

describe('Logger and Clock', () => {
  it('silentLogger has children and drops lines', () => {
    const l: Logger = silentLogger.child({ a: 1 });
    expect(() => l.info({ x: 1 }, 'm')).not.toThrow();
    expect(l.child({})).toBe(silentLogger);
  });

  it('ManualClock moves both readings forward, set() moves the wall clock only', () => {
    const c = new ManualClock(1000);
    c.advance(50);
    expect([c.now(), c.monotonic()]).toEqual([1050, 50]);
    c.set(10);
    expect([c.now(), c.monotonic()]).toEqual([10, 50]);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});

describe('Logger is the pino subset', () => {
  it('a pino logger is a core Logger without an adapter', async () => {
    const { pino } = await import('pino');
    const lines: string[] = [];
    const log: Logger = pino({ level: 'debug', base: null, timestamp: false }, { write: (s: string) => lines.push(s) });
    log.child({ stream: 'live/a' }).warn({ errorCode: 'x' }, 'hello');
    expect(JSON.parse(lines[0]!)).toEqual({ level: 40, stream: 'live/a', errorCode: 'x', msg: 'hello' });
  });
});

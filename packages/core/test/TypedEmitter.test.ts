import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../src/TypedEmitter.js';

interface Events {
  media: [kind: string, size: number];
  closed: [];
}

class Session extends TypedEmitter<Events> {}

describe('TypedEmitter', () => {
  it('calls listeners in registration order with the arguments and the emitter as this', () => {
    const s = new Session();
    const calls: unknown[] = [];
    s.on('media', function (this: unknown, kind, size) {
      calls.push(['a', kind, size, this === s]);
    });
    s.on('media', (kind, size) => calls.push(['b', kind, size]));
    expect(s.emit('media', 'video', 42)).toBe(true);
    expect(calls).toEqual([
      ['a', 'video', 42, true],
      ['b', 'video', 42],
    ]);
  });

  it('reports whether anyone listened', () => {
    const s = new Session();
    expect(s.emit('closed')).toBe(false);
    const fn = (): void => {};
    s.on('closed', fn);
    expect(s.emit('closed')).toBe(true);
    s.off('closed', fn);
    expect(s.emit('closed')).toBe(false);
    expect(s.listenerCount('closed')).toBe(0);
  });

  it('runs a once listener once, and removes it by the function it wraps', () => {
    const s = new Session();
    let n = 0;
    s.once('closed', () => n++);
    s.emit('closed');
    s.emit('closed');
    expect(n).toBe(1);
    const never = (): void => {
      n += 100;
    };
    s.once('closed', never);
    s.off('closed', never);
    s.emit('closed');
    expect(n).toBe(1);
  });

  it('removes one registration of a listener added twice, the latest first', () => {
    const s = new Session();
    const seen: string[] = [];
    const a = (): number => seen.push('a');
    const b = (): number => seen.push('b');
    s.on('closed', a).on('closed', b).on('closed', a);
    s.off('closed', a);
    s.emit('closed');
    expect(seen).toEqual(['a', 'b']);
    expect(s.listenerCount('closed')).toBe(2);
  });

  it('does not run, in the emit under way, a listener added or removed by another listener', () => {
    const s = new Session();
    const seen: string[] = [];
    const late = (): number => seen.push('late');
    const second = (): number => seen.push('second');
    s.on('closed', () => {
      seen.push('first');
      s.on('closed', late);
      s.off('closed', second);
    });
    s.on('closed', second);
    s.emit('closed');
    // Removal takes effect for later emits only, as in node:events.
    expect(seen).toEqual(['first', 'second']);
    seen.length = 0;
    s.emit('closed');
    expect(seen).toEqual(['first', 'late']);
  });

  it('a once listener that emits again is not re-entered', () => {
    const s = new Session();
    let n = 0;
    s.once('closed', () => {
      n++;
      s.emit('closed');
    });
    s.emit('closed');
    expect(n).toBe(1);
  });
});

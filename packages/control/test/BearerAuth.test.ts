import { Metadata } from '@grpc/grpc-js';
import { BearerAuth } from '@rtmp-cluster/control';
import { describe, expect, it } from 'vitest';

function md(...values: string[]): Metadata {
  const m = new Metadata();
  for (const v of values) m.add('authorization', v);
  return m;
}

describe('BearerAuth', () => {
  const auth = new BearerAuth('tok-123');

  it('accepts exactly the configured token with the Bearer scheme (scheme case-insensitive)', () => {
    expect(auth.check(md('Bearer tok-123'))).toBe(true);
    expect(auth.check(md('bearer tok-123'))).toBe(true);
    expect(auth.check(md('Bearer  tok-123 '))).toBe(true);
  });

  it('refuses a missing, different, partial, schemeless or repeated token', () => {
    expect(auth.check(new Metadata())).toBe(false);
    expect(auth.check(md('Bearer tok-1234'))).toBe(false);
    expect(auth.check(md('Bearer tok-12'))).toBe(false);
    expect(auth.check(md('tok-123'))).toBe(false);
    expect(auth.check(md('Basic tok-123'))).toBe(false);
    expect(auth.check(md('Bearer '))).toBe(false);
    expect(auth.check(md('Bearer tok-123', 'Bearer tok-123'))).toBe(false);
  });

  it('refuses to be configured without a token', () => {
    expect(() => new BearerAuth('')).toThrow('non-empty');
  });
});

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

/**
 * Checks `authorization: Bearer <token>` metadata against the configured token. Both sides are hashed
 * first so the comparison is constant-time and does not reveal the token's length either.
 */
export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error('control API token must be a non-empty string');
    }
    this.expected = digest(token);
  }

  /** True if the call carries exactly one authorization value equal to `Bearer <token>`. */
  check(metadata: Metadata): boolean {
    const values = metadata.get('authorization');
    if (values.length !== 1) return false;
    const value = values[0];
    if (typeof value !== 'string') return false;
    const m = /^Bearer[ ]+(\S.*)$/i.exec(value.trim());
    if (!m) return false;
    return timingSafeEqual(digest(m[1]!), this.expected);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Signed stream tokens: `<kid>.<exp>.<sig>`.
 *
 *   kid  key id, [A-Za-z0-9_-]{1,32}; selects the secret, so several keys can be active during rotation
 *   exp  expiry, unix seconds, canonical decimal (no leading zeros, at most 12 digits)
 *   sig  base64url (no padding, 43 chars) of HMAC-SHA256(secret, signing input)
 *
 * The signing input binds the token to one action, app and stream name:
 *   "rtmpc-stream-token-v1" then, for action, app, name, kid, exp in that order, "\n<utf8 byte length>:<value>".
 * Length prefixes keep the encoding unambiguous whatever characters app and name contain.
 *
 * Every part is checked in canonical form (strict pattern, signature compared as text), so no two distinct
 * strings verify as the same token: any edit of a valid token is rejected.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessAction } from './AccessRequest.js';
import { AuthError } from './AuthError.js';
import type { DenyReasonCode } from './AuthDecision.js';
import { KEY_ID_PATTERN, KeyRing, MIN_SECRET_LENGTH, type SigningKey } from './KeyRing.js';

/** The query parameter that carries a token, in the publish/play name or in tcUrl/app. */
export const TOKEN_QUERY_PARAM = 'token';
/** Default tolerance for clocks that disagree between the minting service and this node. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

const SIGNING_CONTEXT = 'rtmpc-stream-token-v1';
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,32})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})$/;
const MAX_EXP_SECONDS = 999_999_999_999;

export interface SignStreamTokenOptions {
  action: AccessAction;
  app: string;
  name: string;
  keyId: string;
  secret: string;
  /** absolute expiry: a Date, or unix seconds */
  expiresAt?: Date | number;
  /** relative expiry from `now`; used when expiresAt is absent */
  ttlSeconds?: number;
  /** clock for ttlSeconds, milliseconds since the epoch; default Date.now() */
  now?: number;
}

export function signStreamToken(opts: SignStreamTokenOptions): string {
  if (opts.action !== 'publish' && opts.action !== 'play') {
    throw new AuthError('AUTH_SIGN_INVALID', `action must be 'publish' or 'play'`);
  }
  if (typeof opts.app !== 'string' || opts.app === '') throw new AuthError('AUTH_SIGN_INVALID', 'app must not be empty');
  if (typeof opts.name !== 'string' || opts.name === '') throw new AuthError('AUTH_SIGN_INVALID', 'name must not be empty');
  if (typeof opts.keyId !== 'string' || !KEY_ID_PATTERN.test(opts.keyId)) {
    throw new AuthError('AUTH_SIGN_INVALID', 'keyId must be 1-32 characters of A-Z a-z 0-9 _ -');
  }
  if (typeof opts.secret !== 'string' || opts.secret.length < MIN_SECRET_LENGTH) {
    throw new AuthError('AUTH_SIGN_INVALID', `secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const exp = resolveExpiry(opts);
  return `${opts.keyId}.${exp}.${computeSignature(opts.secret, opts.action, opts.app, opts.name, opts.keyId, String(exp))}`;
}

function resolveExpiry(opts: SignStreamTokenOptions): number {
  let exp: number;
  if (opts.expiresAt !== undefined) {
    exp = opts.expiresAt instanceof Date ? Math.floor(opts.expiresAt.getTime() / 1000) : opts.expiresAt;
  } else if (opts.ttlSeconds !== undefined) {
    if (!Number.isFinite(opts.ttlSeconds) || opts.ttlSeconds <= 0) {
      throw new AuthError('AUTH_SIGN_INVALID', 'ttlSeconds must be a positive number');
    }
    exp = Math.floor((opts.now ?? Date.now()) / 1000 + opts.ttlSeconds);
  } else {
    throw new AuthError('AUTH_SIGN_INVALID', 'give expiresAt or ttlSeconds');
  }
  if (!Number.isSafeInteger(exp) || exp < 1 || exp > MAX_EXP_SECONDS) {
    // A millisecond timestamp passed as seconds lands here instead of minting a token valid for millennia.
    throw new AuthError('AUTH_SIGN_INVALID', 'expiresAt must be a Date or whole unix seconds (1 .. 999999999999)');
  }
  return exp;
}

function computeSignature(secret: string, action: string, app: string, name: string, kid: string, exp: string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(SIGNING_CONTEXT);
  for (const field of [action, app, name, kid, exp]) hmac.update(`\n${Buffer.byteLength(field, 'utf8')}:${field}`);
  return hmac.digest('base64url');
}

export interface VerifyStreamTokenOptions {
  action: AccessAction;
  app: string;
  name: string;
  keys: KeyRing | readonly SigningKey[];
  /** milliseconds since the epoch; default Date.now() */
  now?: number;
  /** default DEFAULT_CLOCK_SKEW_SECONDS */
  clockSkewSeconds?: number;
}

export type TokenVerification =
  | { ok: true; keyId: string; expiresAt: number }
  | { ok: false; reasonCode: Extract<DenyReasonCode, 'malformed_token' | 'unknown_key' | 'bad_signature' | 'expired'>; reason: string };

export function verifyStreamToken(token: string, opts: VerifyStreamTokenOptions): TokenVerification {
  const match = typeof token === 'string' ? TOKEN_PATTERN.exec(token) : null;
  if (match === null) {
    return { ok: false, reasonCode: 'malformed_token', reason: 'token is not <kid>.<exp>.<signature>' };
  }
  const [, kid, expText, sig] = match as unknown as [string, string, string, string];
  const ring = opts.keys instanceof KeyRing ? opts.keys : new KeyRing(opts.keys);
  const secret = ring.secretFor(kid);
  if (secret === undefined) {
    return { ok: false, reasonCode: 'unknown_key', reason: `token key id '${kid}' is not configured` };
  }
  const expected = computeSignature(secret, opts.action, opts.app, opts.name, kid, expText);
  // Both are exactly 43 ASCII characters here (pattern above), so timingSafeEqual's equal-length rule holds.
  if (!timingSafeEqual(Buffer.from(sig, 'latin1'), Buffer.from(expected, 'latin1'))) {
    return {
      ok: false,
      reasonCode: 'bad_signature',
      reason: `token signature does not match ${opts.action} ${opts.app}/${opts.name} (key '${kid}')`,
    };
  }
  // Expiry is judged only after the signature: an attacker cannot learn anything from editing exp.
  const exp = Number(expText);
  const nowSeconds = (opts.now ?? Date.now()) / 1000;
  const skew = opts.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (nowSeconds > exp + skew) {
    return { ok: false, reasonCode: 'expired', reason: `token expired ${Math.floor(nowSeconds - exp)} s ago (key '${kid}')` };
  }
  return { ok: true, keyId: kid, expiresAt: exp };
}

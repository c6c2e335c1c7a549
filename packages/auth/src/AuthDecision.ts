import type { AccessAction } from './AccessRequest.js';

/** onStatus codes a denial maps to (level "error"; ffmpeg prints "Server error: <description>"). */
export type DenyStatusCode =
  | 'NetStream.Publish.BadName' // the stream name itself is unusable
  | 'NetStream.Publish.Unauthorized' // missing, wrong or expired publish credential
  | 'NetStream.Play.Unauthorized'; // missing, wrong or expired play credential

/** Which mechanism made the decision. */
export type DecisionSource = 'none' | 'token' | 'static' | 'webhook' | 'relay';

/** Machine-readable cause of a denial, stable for logs and metrics. */
export type DenyReasonCode =
  | 'invalid_name' // empty app or stream name
  | 'missing_credential' // no token / key where one is required
  | 'malformed_token' // not `<kid>.<exp>.<sig>`
  | 'unknown_key' // the token's key id is not configured (e.g. rotated out)
  | 'bad_signature' // signature does not match action/app/name/exp/kid
  | 'expired' // exp + clock skew is in the past
  | 'wrong_key' // static key does not match
  | 'bad_relay_credential' // a relay credential was presented and is wrong
  | 'webhook_denied' // the webhook answered with a denial
  | 'webhook_failed'; // the webhook errored / timed out and the policy is fail-closed

export interface AllowDecision {
  allowed: true;
  action: AccessAction;
  via: DecisionSource;
  /** readable, for logs */
  reason: string;
  /** the signing key that verified the token (mode token) */
  keyId?: string;
  /** token expiry, unix seconds (mode token) */
  expiresAt?: number;
}

export interface DenyDecision {
  allowed: false;
  action: AccessAction;
  via: DecisionSource;
  code: DenyStatusCode;
  reasonCode: DenyReasonCode;
  /** readable, for logs; never contains a secret */
  reason: string;
  /** for the onStatus description the client sees; never contains a secret */
  description: string;
}

export type AuthDecision = AllowDecision | DenyDecision;

export function allowDecision(
  action: AccessAction,
  via: DecisionSource,
  reason: string,
  extra: { keyId?: string; expiresAt?: number } = {},
): AllowDecision {
  return { allowed: true, action, via, reason, ...extra };
}

export function denyDecision(
  action: AccessAction,
  via: DecisionSource,
  reasonCode: DenyReasonCode,
  reason: string,
  description?: string,
): DenyDecision {
  const code: DenyStatusCode =
    reasonCode === 'invalid_name' && action === 'publish'
      ? 'NetStream.Publish.BadName'
      : action === 'publish'
        ? 'NetStream.Publish.Unauthorized'
        : 'NetStream.Play.Unauthorized';
  return {
    allowed: false,
    action,
    via,
    code,
    reasonCode,
    reason,
    description: description ?? defaultDescription(action, reasonCode),
  };
}

function defaultDescription(action: AccessAction, reasonCode: DenyReasonCode): string {
  const what = action === 'publish' ? 'Publishing' : 'Playing';
  switch (reasonCode) {
    case 'invalid_name':
      return `${what} refused: invalid stream name`;
    case 'missing_credential':
      return `${what} refused: authorization required (missing token or key)`;
    case 'expired':
      return `${what} refused: token expired`;
    case 'malformed_token':
    case 'unknown_key':
    case 'bad_signature':
      // One description for all three: a client probing key ids learns nothing from it.
      return `${what} refused: invalid token`;
    case 'wrong_key':
      return `${what} refused: invalid stream key`;
    case 'bad_relay_credential':
      return `${what} refused: invalid relay credential`;
    case 'webhook_denied':
      return `${what} refused by the authorization service`;
    case 'webhook_failed':
      return `${what} refused: authorization service unavailable`;
  }
}

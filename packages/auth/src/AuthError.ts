import { CodedError } from '@rtmp-cluster/core';

/**
 * Failures of the auth package itself (bad configuration, a token that cannot be minted). Decisions about
 * clients are never thrown: they are returned as AuthDecision values. The codes are stable: never rename one.
 */
export type AuthErrorCode =
  | 'AUTH_CONFIG_INVALID' // the access policy configuration does not validate
  | 'AUTH_SIGN_INVALID' // signStreamToken / buildSignedUrl got arguments it cannot sign
  | 'AUTH_URL_INVALID'; // buildSignedUrl got a base URL it cannot extend

export class AuthError extends CodedError<AuthErrorCode> {
  override readonly name = 'AuthError';
  readonly domain = 'auth';
}

export function isAuthError(err: unknown): err is AuthError {
  return err instanceof AuthError;
}

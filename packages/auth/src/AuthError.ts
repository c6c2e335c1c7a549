/**
 * Failures of the auth package itself (bad configuration, a token that cannot be minted). Decisions about
 * clients are never thrown: they are returned as AccessDecision values. The codes are stable: never rename one.
 */
export type AuthErrorCode =
  | 'AUTH_CONFIG_INVALID' // the access policy configuration does not validate
  | 'AUTH_SIGN_INVALID' // signStreamToken / buildSignedUrl got arguments it cannot sign
  | 'AUTH_URL_INVALID'; // buildSignedUrl got a base URL it cannot extend

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isAuthError(err: unknown): err is AuthError {
  return err instanceof AuthError;
}

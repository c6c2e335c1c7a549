import { AuthError } from './AuthError.js';
import { signStreamToken, TOKEN_QUERY_PARAM, type SignStreamTokenOptions } from './StreamToken.js';

const BASE_URL_PATTERN = /^(rtmps?|rtmpt|rtmpts|rtmpe|rtmpte):\/\/([^/?#\s]+)(\/[^?#\s]*)?$/i;
/** Characters that would end or break a URL path segment; names carrying them cannot be sent as one URL. */
const UNSAFE_IN_URL = /[?#\s]/;

/**
 * `rtmp://host[:port]` (or `rtmp://host[:port]/<app>`) -> `rtmp://host[:port]/<app>/<name>?token=<token>`.
 * The token is URL-safe as is; app and name go in verbatim because RTMP servers split tcUrl and the play
 * name without percent-decoding them.
 */
export function buildSignedUrl(baseRtmpUrl: string, opts: SignStreamTokenOptions): string {
  const match = BASE_URL_PATTERN.exec(baseRtmpUrl);
  if (match === null) {
    throw new AuthError('AUTH_URL_INVALID', `base URL must look like rtmp://host[:port] (got '${baseRtmpUrl}')`);
  }
  const [, scheme, authority] = match as unknown as [string, string, string];
  const path = (match[3] ?? '').replace(/\/+$/, '');
  if (path !== '' && path !== `/${opts.app}`) {
    throw new AuthError('AUTH_URL_INVALID', `base URL path '${path}' is not '/${opts.app}'; give rtmp://host[:port] only`);
  }
  for (const [label, value] of [['app', opts.app], ['name', opts.name]] as const) {
    if (typeof value === 'string' && UNSAFE_IN_URL.test(value)) {
      throw new AuthError('AUTH_SIGN_INVALID', `${label} must not contain '?', '#' or whitespace`);
    }
  }
  const token = signStreamToken(opts);
  return `${scheme}://${authority}/${opts.app}/${opts.name}?${TOKEN_QUERY_PARAM}=${token}`;
}

import { CodedError } from '@rtmp-cluster/core';

/** Why the web listener refused a request; the code is stable (logs, tests), the status is what HTTP says. */
export type WebErrorCode =
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'METHOD_NOT_ALLOWED'
  | 'ORIGIN_NOT_ALLOWED'
  | 'TOO_MANY_REQUESTS'
  | 'UNAUTHORIZED'
  | 'STREAM_NOT_FOUND'
  | 'UNAVAILABLE'
  /** a WebSocket viewer sent a frame the protocol forbids (closed with the RFC 6455 close code) */
  | 'WEBSOCKET_PROTOCOL';

const STATUS: Record<WebErrorCode, number> = {
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  METHOD_NOT_ALLOWED: 405,
  ORIGIN_NOT_ALLOWED: 403,
  TOO_MANY_REQUESTS: 429,
  UNAUTHORIZED: 403,
  STREAM_NOT_FOUND: 404,
  UNAVAILABLE: 503,
  WEBSOCKET_PROTOCOL: 400,
};

export class WebError extends CodedError<WebErrorCode> {
  override readonly name: string = 'WebError';
  readonly domain = 'web';
  readonly status: number;
  constructor(code: WebErrorCode, message: string) {
    super(code, message);
    this.status = STATUS[code];
  }
}

export function isWebError(err: unknown): err is WebError {
  return err instanceof WebError;
}

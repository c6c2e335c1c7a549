import { CodedError } from '@rtmp-cluster/core';

/**
 * Failures the media hub reports. Codes are stable: the server maps them to
 * onStatus codes (e.g. STREAM_ALREADY_PUBLISHED -> NetStream.Publish.BadName)
 * and tests match on them, so never rename one.
 */
export type HubErrorCode =
  | 'STREAM_ALREADY_PUBLISHED' // a live name got a second publisher under the 'reject' policy
  | 'INVALID_STREAM_KEY' // empty key, or not of the form 'app/name'
  | 'INVALID_SINK' // a sink with an unusable chunk size or message stream id
  | 'ALREADY_SUBSCRIBED' // the same sink object subscribed twice to one stream
  | 'HUB_CLOSED'; // publish/subscribe after StreamHub.close()

export class HubError extends CodedError<HubErrorCode> {
  override readonly name = 'HubError';
  readonly domain = 'media';
}

export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}

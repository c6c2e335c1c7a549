import { CodedError } from '@rtmp-cluster/core';

/**
 * Why a relay pull failed or ended. Stable codes: logs, metrics and tests match on them, so never rename one.
 */
export type RelayErrorCode =
  | 'UPSTREAM_UNREACHABLE' // TCP connect failed or timed out (origin down, wrong address)
  | 'UPSTREAM_START_TIMEOUT' // handshake, connect or play did not complete in time (e.g. a stopped process)
  | 'UPSTREAM_REJECTED' // the origin refused the connect or the play (bad relay credential, ...)
  | 'UPSTREAM_STREAM_NOT_FOUND' // the origin does not (or no longer) publish the stream
  | 'UPSTREAM_UNPUBLISHED' // the origin's publisher left (NetStream.Play.UnpublishNotify / Play.Stop)
  | 'UPSTREAM_STALLED' // no byte from the origin for too long while playing
  | 'UPSTREAM_CLOSED' // the origin closed the connection
  | 'UPSTREAM_PROTOCOL_ERROR' // the origin sent something the protocol layer refused
  | 'UPSTREAM_REPLACED' // the relay switched to another upstream (new owner or epoch)
  | 'RELAY_STOPPED'; // the relay was stopped (idle teardown, shutdown, kick)

export class RelayError extends CodedError<RelayErrorCode> {
  override readonly name = 'RelayError';
  readonly domain = 'relay';
}

export function isRelayError(err: unknown): err is RelayError {
  return err instanceof RelayError;
}

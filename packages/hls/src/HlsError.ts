import { CodedError } from '@rtmp-cluster/core';

/** Stable codes of this package's errors (qualified `hls.*` in logs and metrics). */
export type HlsErrorCode = 'NOT_A_SEQUENCE_HEADER' | 'BAD_CODEC_CONFIG';

export class HlsError extends CodedError<HlsErrorCode> {
  override readonly name = 'HlsError';
  readonly domain = 'hls' as const;
}

export function isHlsError(err: unknown): err is HlsError {
  return err instanceof HlsError;
}

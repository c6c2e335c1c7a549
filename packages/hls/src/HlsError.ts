/** Stable codes of this package's errors (namespaced `hls.*` in logs and metrics). */
export type HlsErrorCode =
  | 'NOT_A_SEQUENCE_HEADER'
  | 'BAD_CODEC_CONFIG'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'GONE';

export class HlsError extends Error {
  override readonly name = 'HlsError';
  constructor(
    readonly code: HlsErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The namespaced code, e.g. 'hls.BAD_REQUEST'. */
  get namespacedCode(): string {
    return `hls.${this.code}`;
  }
}

export function isHlsError(err: unknown): err is HlsError {
  return err instanceof HlsError;
}

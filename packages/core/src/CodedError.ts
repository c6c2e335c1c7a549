/**
 * The root of every error this project throws on purpose. A code is stable (logs, metrics, tests and the gRPC
 * mapping match on it) and is namespaced by the package's domain: `registry.REGISTRY_UNAVAILABLE`,
 * `rtmp.CHUNK_BAD_CSID`, ... Packages keep their own short `code` (what their callers always matched on) and
 * inherit `qualifiedCode`, so one log field names any failure in the cluster without a lookup table.
 */
export type ErrorDomain =
  | 'core'
  | 'stream'
  | 'address'
  | 'rtmp'
  | 'media'
  | 'auth'
  | 'registry'
  | 'events'
  | 'relay'
  | 'server'
  | 'cluster'
  | 'control'
  | 'config'
  | 'node'
  | 'web'
  | 'hls';

export interface CodedErrorOptions {
  cause?: unknown;
}

export abstract class CodedError<Code extends string = string> extends Error {
  abstract readonly domain: ErrorDomain;
  readonly code: Code;

  constructor(code: Code, message: string, options?: CodedErrorOptions) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
  }

  /** `${domain}.${code}`: unique across packages (two packages may both have an INVALID_ARGUMENT). */
  get qualifiedCode(): `${ErrorDomain}.${Code}` {
    return `${this.domain}.${this.code}`;
  }
}

export function isCodedError(err: unknown): err is CodedError {
  return err instanceof CodedError;
}

/** The qualified code of anything thrown, or undefined for errors not from this project. */
export function qualifiedCodeOf(err: unknown): string | undefined {
  return err instanceof CodedError ? err.qualifiedCode : undefined;
}

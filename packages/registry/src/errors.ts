import { CodedError } from '@rtmp-cluster/core';

export type RegistryErrorCode =
  /** Redis unreachable, timed out, loading, read-only replica: retry later. */
  | 'REGISTRY_UNAVAILABLE'
  /** A caller passed a malformed key, id, address or TTL. */
  | 'INVALID_ARGUMENT'
  /** Redis answered with an error or a reply this code cannot read. */
  | 'REGISTRY_FAILURE'
  /** The registry was closed. */
  | 'REGISTRY_CLOSED';

export class RegistryError extends CodedError<RegistryErrorCode> {
  readonly domain = 'registry';
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RegistryError';
  }
}

export class RegistryUnavailableError extends RegistryError {
  declare readonly code: 'REGISTRY_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super('REGISTRY_UNAVAILABLE', message, options);
    this.name = 'RegistryUnavailableError';
  }
}

export function isRegistryUnavailable(err: unknown): err is RegistryUnavailableError {
  return err instanceof RegistryError && err.code === 'REGISTRY_UNAVAILABLE';
}

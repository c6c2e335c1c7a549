import { CodedError, isStreamKeyError } from '@rtmp-cluster/core';
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { RegistryError } from '@rtmp-cluster/registry';
import { NodeReplyError } from './NodeCommands.js';

export type ControlErrorCode =
  | 'UNAUTHENTICATED'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  /** The node is not in a state that allows the request (e.g. undrain of a node that is not staying drained). */
  | 'FAILED_PRECONDITION'
  /** Registry or event bus unreachable, or the node did not answer in time. */
  | 'UNAVAILABLE'
  /** A node answered with an error or a reply we cannot read. */
  | 'NODE_FAILURE'
  | 'INTERNAL';

const GRPC_STATUS: Record<ControlErrorCode, status> = {
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAVAILABLE: status.UNAVAILABLE,
  NODE_FAILURE: status.INTERNAL,
  INTERNAL: status.INTERNAL,
};

/** An error of the control service with a stable code that maps onto one gRPC status. */
export class ControlError extends CodedError<ControlErrorCode> {
  override readonly name = 'ControlError';
  readonly domain = 'control';

  get grpcStatus(): status {
    return GRPC_STATUS[this.code];
  }
}

/** Classifies anything a handler threw into a ControlError (unknown errors become INTERNAL). */
export function toControlError(err: unknown): ControlError {
  if (err instanceof ControlError) return err;
  if (err instanceof RegistryError) {
    if (err.code === 'INVALID_ARGUMENT') return new ControlError('INVALID_ARGUMENT', err.message, { cause: err });
    if (err.code === 'REGISTRY_UNAVAILABLE' || err.code === 'REGISTRY_CLOSED') {
      return new ControlError('UNAVAILABLE', `registry unavailable: ${err.message}`, { cause: err });
    }
    return new ControlError('INTERNAL', `registry failure: ${err.message}`, { cause: err });
  }
  if (isStreamKeyError(err)) return new ControlError('INVALID_ARGUMENT', err.message, { cause: err });
  if (err instanceof NodeReplyError) return new ControlError('NODE_FAILURE', err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new ControlError('INTERNAL', message, { cause: err });
}

/** The object grpc-js sends as the call status. */
export function toServiceError(err: ControlError): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set('rtmpc-error-code', err.code);
  return { code: err.grpcStatus, details: err.message, metadata };
}

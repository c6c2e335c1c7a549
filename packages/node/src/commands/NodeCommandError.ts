import { CodedError } from '@rtmp-cluster/core';

/** An error the control plane maps to a gRPC status by its `code`. */
export class NodeCommandError extends CodedError<'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION'> {
  override readonly name = 'NodeCommandError';
  readonly domain = 'node';
}

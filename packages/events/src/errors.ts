import { CodedError } from '@rtmp-cluster/core';

export type EventBusErrorCode =
  /** No process serves commands for that node id (it is down or never existed). */
  | 'NODE_UNREACHABLE'
  /** The node did not answer the command in time. */
  | 'COMMAND_TIMEOUT'
  /** The node answered with an error; `remoteCode` carries the node's own error code. */
  | 'COMMAND_FAILED'
  /** Not connected to NATS (reconnecting) or the connection failed. */
  | 'BUS_UNAVAILABLE'
  /** The bus was closed. */
  | 'BUS_CLOSED'
  /** A malformed event, filter or command (also sent back as a reply code for bad commands). */
  | 'INVALID_ARGUMENT';

export class EventBusError extends CodedError<EventBusErrorCode> {
  readonly domain = 'events';
  /** For COMMAND_FAILED: the error code the remote handler reported. */
  readonly remoteCode: string | undefined;
  constructor(code: EventBusErrorCode, message: string, options?: { cause?: unknown; remoteCode?: string }) {
    super(code, message, options);
    this.name = 'EventBusError';
    this.remoteCode = options?.remoteCode;
  }
}

/** Why a node refused a command before running it (packages/events CommandSignature). */
export type CommandAuthErrorCode = 'COMMAND_UNSIGNED' | 'COMMAND_BAD_SIGNATURE' | 'COMMAND_STALE' | 'COMMAND_REPLAYED' | 'COMMAND_NONCE_CACHE_FULL';

export class CommandAuthError extends CodedError<CommandAuthErrorCode> {
  readonly domain = 'events';
  constructor(code: CommandAuthErrorCode, message: string) {
    super(code, message);
    this.name = 'CommandAuthError';
  }
}

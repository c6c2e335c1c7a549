import type { Logger } from '@rtmp-cluster/core';
import type { CommandHandler, NodeCommand } from './commands.js';
import { EventBusError } from './errors.js';
import type { ClusterEvent, ClusterEventInput, EventFilter } from './events.js';

export type Unsubscribe = () => void;
export type EventHandler = (event: ClusterEvent) => void | Promise<void>;

/**
 * 'sent': handed to the connection. 'buffered': disconnected, queued for the reconnect (may still be
 * lost: events are at-most-once). 'dropped': not sent (closed, or the disconnected buffer is full).
 */
export type PublishResult = { status: 'sent' } | { status: 'buffered' } | { status: 'dropped'; reason: string };

export type BusConnectionState = 'connected' | 'disconnected' | 'closed';

export interface EventBus {
  /** This process's node id (default envelope nodeId). */
  readonly nodeId: string;
  /** Never throws for connection problems; the outcome says what happened. Throws only for a malformed event. */
  publish(event: ClusterEventInput): PublishResult;
  /**
   * Handler errors are logged and swallowed. The subscription survives reconnects. Call flush() before
   * relying on the subscription being registered at the server.
   */
  subscribe(filter: EventFilter, handler: EventHandler): Unsubscribe;
  /** Answers commands for nodeId until the returned function is called. */
  serveCommands(nodeId: string, handler: CommandHandler): Unsubscribe;
  /**
   * Sends a command and resolves with the handler's result. Rejects with EventBusError:
   * NODE_UNREACHABLE, COMMAND_TIMEOUT, COMMAND_FAILED (remoteCode), BUS_UNAVAILABLE, BUS_CLOSED.
   */
  request<T = unknown>(nodeId: string, command: NodeCommand, timeoutMs?: number): Promise<T>;
  /** Resolves once earlier publishes/subscriptions reached the server (rejects BUS_UNAVAILABLE if it cannot). */
  flush(timeoutMs?: number): Promise<void>;
  /** e.g. invalidate caches on 'connected' after an outage (events may have been missed). */
  onConnectionState(listener: (state: BusConnectionState) => void): Unsubscribe;
  close(): Promise<void>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 2000;

/** Runs a subscriber's handler. A throw or a rejection is logged, never passed on: one bad handler must not stop delivery. */
export function deliverEvent(handler: EventHandler, event: ClusterEvent, logger: Logger): void {
  const failed = (err: unknown): void => logger.error({ type: event.type, err: (err as Error)?.message }, 'events: handler failed');
  try {
    const r = handler(event);
    if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(failed);
  } catch (err) {
    failed(err);
  }
}

/** The error of a command the node did not answer in time (both buses, same words). */
export function commandTimeout(nodeId: string, command: NodeCommand, timeoutMs: number, cause?: unknown): EventBusError {
  return new EventBusError('COMMAND_TIMEOUT', `node ${nodeId} did not answer ${command.cmd} in ${timeoutMs} ms`, { cause });
}

/** Throws BUS_CLOSED once the bus was closed. */
export function assertOpen(closed: boolean): void {
  if (closed) throw new EventBusError('BUS_CLOSED', 'event bus is closed');
}

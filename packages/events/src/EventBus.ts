import type { CommandHandler, NodeCommand } from './commands.js';
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

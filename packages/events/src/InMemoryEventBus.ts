import { type CommandHandler, type NodeCommand, runCommand, unwrapReply, validateCommand } from './commands.js';
import { EventBusError } from './errors.js';
import { type ClusterEventInput, completeEvent, decodeEvent, encodeEvent, type EventFilter, matchesFilter } from './events.js';
import {
  assertOpen,
  commandTimeout,
  DEFAULT_REQUEST_TIMEOUT_MS,
  deliverEvent,
  type BusConnectionState,
  type EventBus,
  type EventHandler,
  type PublishResult,
  type Unsubscribe,
} from './EventBus.js';
import { type Logger, silentLogger } from '@rtmp-cluster/core';

interface Subscription {
  filter: EventFilter;
  handler: EventHandler;
  logger: Logger;
}

/** What NATS is to NatsEventBus: the shared medium several in-process buses talk through. */
export class InMemoryEventHub {
  readonly subscriptions = new Set<Subscription>();
  readonly commandServers = new Map<string, CommandHandler>();
}

export interface InMemoryEventBusOptions {
  nodeId: string;
  /** Buses sharing a hub see each other's events and commands; default: a private hub. */
  hub?: InMemoryEventHub;
  logger?: Logger;
  now?: () => number;
}

/**
 * EventBus for all-in-one mode and unit tests. Behaves like the NATS bus where callers can tell: events
 * are delivered asynchronously as decoded copies of the JSON envelope, commands time out, an unknown node
 * is NODE_UNREACHABLE.
 */
export class InMemoryEventBus implements EventBus {
  readonly nodeId: string;
  readonly hub: InMemoryEventHub;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly own = new Set<Subscription>();
  private readonly served = new Map<string, CommandHandler>();
  private closed = false;

  constructor(options: InMemoryEventBusOptions) {
    this.nodeId = options.nodeId;
    this.hub = options.hub ?? new InMemoryEventHub();
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  publish(input: ClusterEventInput): PublishResult {
    const event = completeEvent(input, this.nodeId, this.now());
    if (this.closed) return { status: 'dropped', reason: 'bus closed' };
    const wire = encodeEvent(event);
    for (const sub of this.hub.subscriptions) {
      if (!matchesFilter(event, sub.filter)) continue;
      // Asynchronous like a network hop, and each subscriber gets its own copy.
      setImmediate(() => {
        if (this.hub.subscriptions.has(sub)) deliverEvent(sub.handler, decodeEvent(wire), sub.logger);
      });
    }
    return { status: 'sent' };
  }

  subscribe(filter: EventFilter, handler: EventHandler): Unsubscribe {
    this.checkOpen();
    const sub: Subscription = { filter: { ...filter }, handler, logger: this.logger };
    this.hub.subscriptions.add(sub);
    this.own.add(sub);
    return () => {
      this.hub.subscriptions.delete(sub);
      this.own.delete(sub);
    };
  }

  serveCommands(nodeId: string, handler: CommandHandler): Unsubscribe {
    this.checkOpen();
    this.hub.commandServers.set(nodeId, handler);
    this.served.set(nodeId, handler);
    return () => {
      if (this.hub.commandServers.get(nodeId) === handler) this.hub.commandServers.delete(nodeId);
      this.served.delete(nodeId);
    };
  }

  async request<T = unknown>(nodeId: string, command: NodeCommand, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
    this.checkOpen();
    validateCommand(command);
    const handler = this.hub.commandServers.get(nodeId);
    if (!handler) throw new EventBusError('NODE_UNREACHABLE', `no node ${nodeId} serves commands`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(commandTimeout(nodeId, command, timeoutMs)), timeoutMs);
    });
    try {
      const reply = await Promise.race([runCommand(handler, JSON.stringify(command)), timeout]);
      return unwrapReply(nodeId, command, JSON.stringify(reply)) as T;
    } finally {
      clearTimeout(timer);
    }
  }

  async flush(): Promise<void> {
    this.checkOpen();
    // Lets already scheduled deliveries run first, like a server round trip would.
    await new Promise((r) => setImmediate(r));
  }

  onConnectionState(_listener: (state: BusConnectionState) => void): Unsubscribe {
    return () => {};
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.own) this.hub.subscriptions.delete(sub);
    this.own.clear();
    for (const [nodeId, handler] of this.served) {
      if (this.hub.commandServers.get(nodeId) === handler) this.hub.commandServers.delete(nodeId);
    }
    this.served.clear();
  }

  private checkOpen(): void {
    assertOpen(this.closed);
  }
}

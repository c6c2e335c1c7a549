import { type ConnectionOptions, connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { CommandVerifier, signCommand } from './CommandSignature.js';
import { type CommandHandler, type NodeCommand, runCommand, unwrapReply, validateCommand } from './commands.js';
import { type CommandAuthError, EventBusError } from './errors.js';
import {
  type ClusterEvent,
  type ClusterEventInput,
  completeEvent,
  decodeEvent,
  encodeEvent,
  type EventFilter,
  matchesFilter,
} from './events.js';
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
import { SubjectScheme } from './subjects.js';

export interface NatsEventBusOptions {
  /** 'nats://host:4222' or a list; credentials as 'nats://user:pass@host:4222' or via connectionOptions. */
  servers: string | string[];
  /** This node's id: default envelope nodeId. */
  nodeId: string;
  /** First subject token(s); lets several clusters share one NATS. Default 'rtmpc'. */
  subjectPrefix?: string;
  /** Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Pause between reconnect attempts (plus jitter). Default 250 ms. Reconnects never stop. */
  reconnectTimeWaitMs?: number;
  /** Bytes published while disconnected that are kept for the reconnect; beyond this, events are dropped. Default 1 MiB. */
  maxDisconnectedBufferBytes?: number;
  /** When NATS is down at startup: false (default) = connect() rejects BUS_UNAVAILABLE; true = wait. */
  waitOnFirstConnect?: boolean;
  /** Extra nats.js options (user, pass, token, authenticator, tls, name, ...); reconnect settings above win. */
  connectionOptions?: Partial<ConnectionOptions>;
  logger?: Logger;
  /**
   * The cluster secret: commands this bus sends are signed with it, and commands it serves must carry a
   * valid, fresh, unused signature (CommandSignature). Without it commands travel unsigned.
   */
  commandSecret?: string;
  /** clock for command signatures (tests) */
  now?: () => number;
}

/** EventBus over core NATS (at-most-once) with the official nats.js client. */
export class NatsEventBus implements EventBus {
  readonly nodeId: string;
  readonly subjects: SubjectScheme;
  private readonly logger: Logger;
  private readonly maxBufferBytes: number;
  private connected = true;
  private closed = false;
  private bufferedBytes = 0;
  private droppedWhileDisconnected = 0;
  private readonly stateListeners = new Set<(state: BusConnectionState) => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly commandSecret: string | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly nc: NatsConnection,
    options: NatsEventBusOptions,
  ) {
    this.nodeId = options.nodeId;
    this.subjects = new SubjectScheme(options.subjectPrefix);
    this.logger = options.logger ?? silentLogger;
    this.maxBufferBytes = options.maxDisconnectedBufferBytes ?? 1024 * 1024;
    this.commandSecret = options.commandSecret;
    this.now = options.now ?? Date.now;
    this.watchStatus().catch((err: unknown) => {
      this.logger.error({ err: (err as Error).message }, 'events: nats status stream failed');
    });
    nc.closed()
      .then((err) => {
        if (err) this.logger.error({ err: err.message }, 'events: nats connection closed with error');
      })
      .catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'events: nats connection closed with error'))
      .finally(() => {
        this.closed = true;
        this.emitState('closed');
      });
  }

  static async connect(options: NatsEventBusOptions): Promise<NatsEventBus> {
    new SubjectScheme(options.subjectPrefix); // validates the prefix before connecting
    try {
      const nc = await connect({
        name: `rtmp-cluster:${options.nodeId}`,
        ...options.connectionOptions,
        servers: options.servers,
        timeout: options.connectTimeoutMs ?? 2000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
        reconnectJitter: 100,
        waitOnFirstConnect: options.waitOnFirstConnect ?? false,
        // Detect a silently dead server within seconds.
        pingInterval: 5000,
        maxPingOut: 2,
      });
      return new NatsEventBus(nc, options);
    } catch (err) {
      throw new EventBusError('BUS_UNAVAILABLE', `cannot connect to NATS: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Whether the connection is currently up. */
  get isConnected(): boolean {
    return this.connected && !this.closed;
  }

  publish(input: ClusterEventInput): PublishResult {
    const event = completeEvent(input, this.nodeId, Date.now());
    if (this.closed) return { status: 'dropped', reason: 'bus closed' };
    const data = encodeEvent(event);
    if (!this.connected) {
      if (this.bufferedBytes + data.length > this.maxBufferBytes) {
        if (this.droppedWhileDisconnected++ % 1000 === 0) {
          this.logger.warn({ type: event.type, dropped: this.droppedWhileDisconnected }, 'events: disconnected buffer full, dropping');
        }
        return { status: 'dropped', reason: 'disconnected and buffer full' };
      }
      this.bufferedBytes += data.length;
    }
    try {
      this.nc.publish(this.subjects.forEvent(event), data);
    } catch (err) {
      this.logger.warn({ type: event.type, err: (err as Error).message }, 'events: publish failed');
      return { status: 'dropped', reason: (err as Error).message };
    }
    return this.connected ? { status: 'sent' } : { status: 'buffered' };
  }

  subscribe(filter: EventFilter, handler: EventHandler): Unsubscribe {
    this.checkOpen();
    const copy: EventFilter = { ...filter };
    const subs = this.subjects.forFilter(copy).map((subject) =>
      this.nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) {
            this.logger.warn({ subject, err: err.message }, 'events: subscription error');
            return;
          }
          this.dispatch(msg, copy, handler);
        },
      }),
    );
    for (const s of subs) this.subscriptions.add(s);
    return () => {
      for (const s of subs) {
        this.subscriptions.delete(s);
        if (!s.isClosed()) s.unsubscribe();
      }
    };
  }

  serveCommands(nodeId: string, handler: CommandHandler): Unsubscribe {
    this.checkOpen();
    const subject = this.subjects.commands(nodeId);
    const verifier = this.commandSecret !== undefined ? new CommandVerifier(this.commandSecret, nodeId) : undefined;
    const authenticate = verifier
      ? (parsed: unknown): unknown => {
          try {
            return verifier.verify(parsed, this.now());
          } catch (err) {
            const e = err as CommandAuthError;
            const cmd = (parsed as { command?: { cmd?: unknown }; cmd?: unknown } | null)?.command?.cmd ?? (parsed as { cmd?: unknown } | null)?.cmd;
            this.logger.warn({ subject, code: e.code, command: typeof cmd === 'string' ? cmd.slice(0, 64) : undefined, err: e.message }, 'events: node command refused');
            throw err;
          }
        }
      : undefined;
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.logger.warn({ subject, err: err.message }, 'events: command subscription error');
          return;
        }
        if (!msg.reply) return;
        runCommand(handler, msg.string(), authenticate)
          .then((reply) => msg.respond(JSON.stringify(reply)))
          .catch((e: unknown) => this.logger.warn({ subject, err: (e as Error).message }, 'events: could not send command reply'));
      },
    });
    this.subscriptions.add(sub);
    return () => {
      this.subscriptions.delete(sub);
      if (!sub.isClosed()) sub.unsubscribe();
    };
  }

  async request<T = unknown>(nodeId: string, command: NodeCommand, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
    this.checkOpen();
    validateCommand(command);
    if (!this.connected) throw new EventBusError('BUS_UNAVAILABLE', 'not connected to NATS');
    let msg: Msg;
    try {
      const payload = this.commandSecret !== undefined ? signCommand(this.commandSecret, nodeId, command, this.now()) : command;
      msg = await this.nc.request(this.subjects.commands(nodeId), JSON.stringify(payload), { timeout: timeoutMs });
    } catch (err) {
      throw translateRequestError(err, nodeId, command, timeoutMs);
    }
    return unwrapReply(nodeId, command, msg.string()) as T;
  }

  async flush(timeoutMs = 2000): Promise<void> {
    this.checkOpen();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.nc.flush(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new EventBusError('BUS_UNAVAILABLE', `NATS flush took over ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      if (err instanceof EventBusError) throw err;
      throw new EventBusError('BUS_UNAVAILABLE', `NATS flush failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  onConnectionState(listener: (state: BusConnectionState) => void): Unsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // drain delivers what is already received and flushes what we published
      await this.nc.drain();
    } catch {
      await this.nc.close().catch(() => undefined);
    }
  }

  private dispatch(msg: Msg, filter: EventFilter, handler: EventHandler): void {
    let event: ClusterEvent;
    try {
      event = decodeEvent(msg.data);
    } catch (err) {
      this.logger.warn({ subject: msg.subject, err: (err as Error).message }, 'events: dropping malformed event');
      return;
    }
    if (matchesFilter(event, filter)) deliverEvent(handler, event, this.logger);
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.bufferedBytes = 0;
        this.logger.warn({ server: s.server }, 'events: disconnected from NATS, reconnecting');
        this.emitState('disconnected');
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.bufferedBytes = 0;
        this.logger.info({ server: s.server, dropped: this.droppedWhileDisconnected }, 'events: reconnected to NATS');
        this.droppedWhileDisconnected = 0;
        this.emitState('connected');
      }
    }
  }

  private emitState(state: BusConnectionState): void {
    for (const l of this.stateListeners) {
      try {
        l(state);
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, 'events: connection state listener failed');
      }
    }
  }

  private checkOpen(): void {
    assertOpen(this.closed);
  }
}

function translateRequestError(err: unknown, nodeId: string, command: NodeCommand, timeoutMs: number): EventBusError {
  const e = err as { name?: string; message?: string; cause?: unknown; isNoResponders?: () => boolean };
  const causeName = (e?.cause as { name?: string } | undefined)?.name;
  if (e?.name === 'NoRespondersError' || causeName === 'NoRespondersError' || e?.isNoResponders?.() === true) {
    return new EventBusError('NODE_UNREACHABLE', `no node ${nodeId} serves commands`, { cause: err });
  }
  if (e?.name === 'TimeoutError' || causeName === 'TimeoutError') {
    return commandTimeout(nodeId, command, timeoutMs, err);
  }
  return new EventBusError('BUS_UNAVAILABLE', `command ${command.cmd} to ${nodeId} failed: ${e?.message ?? String(err)}`, {
    cause: err,
  });
}

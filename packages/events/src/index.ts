export { CommandAuthError, type CommandAuthErrorCode, EventBusError, type EventBusErrorCode } from './errors.js';
export * from './events.js';
export { SubjectScheme, encodeToken, decodeToken } from './subjects.js';
export {
  type NodeCommand,
  type NodeCommandName,
  type CommandHandler,
  type CommandReply,
  validateCommand,
} from './commands.js';
export {
  type EventBus,
  type EventHandler,
  type PublishResult,
  type BusConnectionState,
  type Unsubscribe,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './EventBus.js';
export { InMemoryEventBus, InMemoryEventHub, type InMemoryEventBusOptions } from './InMemoryEventBus.js';
export { NatsEventBus, type NatsEventBusOptions } from './NatsEventBus.js';
export {
  CommandVerifier,
  COMMAND_WINDOW_MS,
  signCommand,
  type SignedCommandEnvelope,
} from './CommandSignature.js';

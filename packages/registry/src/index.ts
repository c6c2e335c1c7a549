export type { Logger } from './Logger.js';
export { silentLogger } from './Logger.js';
export { RegistryError, RegistryUnavailableError, isRegistryUnavailable, type RegistryErrorCode } from './errors.js';
export { type Clock, systemClock, ManualClock } from './Clock.js';
export {
  formatStreamKey,
  parseStreamKey,
  type StreamKeyParts,
  MAX_APP_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NODE_ID_LENGTH,
} from './StreamKey.js';
export * from './types.js';
export { InMemoryRegistry, type InMemoryRegistryOptions } from './InMemoryRegistry.js';
export { RedisRegistry, type RedisRegistryOptions, DEFAULT_KEY_PREFIX } from './RedisRegistry.js';
export { CachedStreamLocator, type CachedStreamLocatorOptions } from './CachedStreamLocator.js';
export { NodeHeartbeat, type NodeHeartbeatOptions } from './NodeHeartbeat.js';
export { StreamLease, type StreamLeaseOptions } from './StreamLease.js';

export { RegistryError, RegistryUnavailableError, isRegistryUnavailable, type RegistryErrorCode } from './errors.js';
export { MAX_NODE_ID_LENGTH } from './validation.js';
export * from './types.js';
export { InMemoryRegistry, type InMemoryRegistryOptions } from './InMemoryRegistry.js';
export { RedisRegistry, type RedisRegistryOptions, DEFAULT_KEY_PREFIX } from './RedisRegistry.js';
export { CachedStreamLocator, type CachedStreamLocatorOptions } from './CachedStreamLocator.js';
export { NodeHeartbeat, type NodeHeartbeatOptions } from './NodeHeartbeat.js';
export { StreamLease, type StreamLeaseOptions } from './StreamLease.js';

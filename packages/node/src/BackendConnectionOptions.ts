/**
 * How a node reaches Redis and NATS with credentials and TLS from its configuration. The cluster roles pass
 * these straight to RedisRegistry.connect and NatsEventBus.connect:
 *
 *   RedisRegistry.connect({ ...redisConnectionOptions(config), leaseMs, nodeTtlMs, logger })
 *   NatsEventBus.connect({ ...natsConnectionOptions(config), nodeId, logger })
 *
 * Secrets travel in the options object only (never in a URL that might be logged).
 */
import { nodeFs as fs } from '@rtmp-cluster/core';
import type { NatsEventBusOptions } from '@rtmp-cluster/events';
import type { RedisRegistryOptions } from '@rtmp-cluster/registry';
import type { NodeConfig } from './config.js';

type RedisTls = NonNullable<NonNullable<RedisRegistryOptions['redis']>['tls']>;

/** `url` plus ioredis options: ACL user/password (over those in the URL) and TLS (CA, client certificate). */
export function redisConnectionOptions(config: NodeConfig): Pick<RedisRegistryOptions, 'url' | 'redis'> {
  const redis: NonNullable<RedisRegistryOptions['redis']> = {};
  if (config.redisUsername !== undefined) redis.username = config.redisUsername;
  if (config.redisPassword !== undefined) redis.password = config.redisPassword;
  const tlsWanted = config.redisUrl.startsWith('rediss:') || config.redisTlsCaFile !== undefined || config.redisTlsCertFile !== undefined;
  if (tlsWanted) {
    const tls: RedisTls = {};
    if (config.redisTlsCaFile !== undefined) tls.ca = fs.readFileSync(config.redisTlsCaFile);
    if (config.redisTlsCertFile !== undefined) tls.cert = fs.readFileSync(config.redisTlsCertFile);
    if (config.redisTlsKeyFile !== undefined) tls.key = fs.readFileSync(config.redisTlsKeyFile);
    redis.tls = tls;
  }
  return { url: config.redisUrl, redis };
}

/** `servers` plus nats.js options: user/pass or token, and TLS (CA, client certificate). */
/** Also the cluster secret that signs and verifies node commands (RTMPC_CLUSTER_SECRET). */
export function natsConnectionOptions(config: NodeConfig): Pick<NatsEventBusOptions, 'servers' | 'connectionOptions' | 'commandSecret'> {
  const connectionOptions: NonNullable<NatsEventBusOptions['connectionOptions']> = {};
  if (config.natsUser !== undefined) connectionOptions.user = config.natsUser;
  if (config.natsPassword !== undefined) connectionOptions.pass = config.natsPassword;
  if (config.natsToken !== undefined) connectionOptions.token = config.natsToken;
  if (config.natsTlsCaFile !== undefined || config.natsTlsCertFile !== undefined) {
    const tls: NonNullable<typeof connectionOptions.tls> = {};
    if (config.natsTlsCaFile !== undefined) tls.caFile = config.natsTlsCaFile;
    if (config.natsTlsCertFile !== undefined) tls.certFile = config.natsTlsCertFile;
    if (config.natsTlsKeyFile !== undefined) tls.keyFile = config.natsTlsKeyFile;
    connectionOptions.tls = tls;
  }
  return { servers: config.natsServers, connectionOptions, ...(config.clusterSecret !== undefined ? { commandSecret: config.clusterSecret } : {}) };
}

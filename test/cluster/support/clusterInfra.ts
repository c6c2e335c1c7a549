/**
 * What every cluster test runs against, prepared in parallel: a real redis-server and nats-server on free
 * ports, and the H.264 + AAC test source (320x240, 25 fps, 1 s GOP) the publishers loop.
 */
import { makeTestFlv, TEST_MEDIA_DIR } from '../../support/media.js';
import { startNats, type NatsServerHandle } from '../../support/nats-server.js';
import { startRedis, type RedisServerHandle } from '../../support/redis-server.js';

export interface InfraUrls {
  redisUrl: string;
  natsUrl: string;
}

export interface ClusterInfra {
  redis: RedisServerHandle;
  nats: NatsServerHandle;
  urls: InfraUrls;
  /** the H.264 + AAC test FLV */
  flv: string;
  /** stops redis-server and nats-server */
  stop(): Promise<void>;
}

export async function startClusterInfra(): Promise<ClusterInfra> {
  const [redis, nats, flv] = await Promise.all([
    startRedis(),
    startNats(),
    makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 25, gop: 25 }),
  ]);
  return {
    redis,
    nats,
    urls: { redisUrl: redis.url, natsUrl: nats.url },
    flv,
    async stop() {
      await Promise.all([redis.stop(), nats.stop()]);
    },
  };
}

/**
 * The RTMPC_* variables of a cluster node under test: its id, listeners and advertised address on
 * 127.0.0.1, this infrastructure, info logs, a short drain and a fast heartbeat.
 */
/** The cluster secret every node of a test cluster shares (node commands are signed with it). */
export const CLUSTER_SECRET = 'test-cluster-secret-0123456789';

export function nodeEnvironment(id: string, urls: InfraUrls, ports: { rtmp: number; http: number }): Record<string, string> {
  return {
    RTMPC_NODE_ID: id,
    RTMPC_RTMP_HOST: '127.0.0.1',
    RTMPC_RTMP_PORT: String(ports.rtmp),
    RTMPC_ADVERTISE_ADDRESS: `127.0.0.1:${ports.rtmp}`,
    RTMPC_HTTP_HOST: '127.0.0.1',
    RTMPC_HTTP_PORT: String(ports.http),
    RTMPC_WEB_HOST: '127.0.0.1',
    RTMPC_WEB_PORT: '0',
    RTMPC_REDIS_URL: urls.redisUrl,
    RTMPC_NATS_SERVERS: urls.natsUrl,
    RTMPC_CLUSTER_SECRET: CLUSTER_SECRET,
    RTMPC_LOG_LEVEL: 'info',
    RTMPC_DRAIN_TIMEOUT_MS: '2000',
    RTMPC_HEARTBEAT_MS: '500',
  };
}

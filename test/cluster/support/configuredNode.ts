/**
 * An origin or edge built the way the executable builds one: loadConfig over an environment (so the RTMPC_*
 * shortcuts go through the real config code), then createNode, in-process, on free ports. Its JSON log lines
 * and the connections its RTMP server closed are recorded for the test to assert on.
 */
import type { ConnectionClosedEvent } from '@rtmp-cluster/server';
import { createNode, loadConfig, type NodeHandle } from 'rtmp-cluster';
import { freePort } from '../../support/ports.js';
import type { InfraUrls } from './inProcessNodes.js';

export interface ConfiguredNode {
  id: string;
  node: NodeHandle;
  logs: Array<Record<string, unknown>>;
  closed: ConnectionClosedEvent[];
  url(path: string): string;
  /** resolves with the first closed connection matching `pred` */
  waitForClose(pred: (e: ConnectionClosedEvent) => boolean, timeoutMs?: number): Promise<ConnectionClosedEvent>;
  /** the value of a metric sample whose labels include `labels` (0 when there is none) */
  metric(name: string, labels?: Record<string, string>): number;
  stop(): Promise<void>;
}

export async function startConfiguredNode(
  role: 'origin' | 'edge',
  id: string,
  urls: InfraUrls,
  env: Record<string, string>,
): Promise<ConfiguredNode> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const config = loadConfig({
    env: {
      RTMPC_ROLE: role,
      RTMPC_NODE_ID: id,
      RTMPC_RTMP_HOST: '127.0.0.1',
      RTMPC_RTMP_PORT: String(rtmpPort),
      RTMPC_ADVERTISE_ADDRESS: `127.0.0.1:${rtmpPort}`,
      RTMPC_HTTP_HOST: '127.0.0.1',
      RTMPC_HTTP_PORT: String(httpPort),
      RTMPC_REDIS_URL: urls.redisUrl,
      RTMPC_NATS_SERVERS: urls.natsUrl,
      RTMPC_LOG_LEVEL: 'info',
      RTMPC_DRAIN_TIMEOUT_MS: '2000',
      RTMPC_HEARTBEAT_MS: '500',
      ...env,
    },
    hostname: id,
  });
  const logs: Array<Record<string, unknown>> = [];
  const node = createNode(config, {
    logDestination: {
      write(line: string): void {
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          logs.push({ msg: line });
        }
        if (process.env.CLUSTER_LOG) process.stderr.write(line);
      },
    },
  });
  const closed: ConnectionClosedEvent[] = [];
  const waiters = new Set<() => void>();
  node.rtmp.on('connectionClosed', (e) => {
    closed.push(e);
    for (const w of [...waiters]) w();
  });
  await node.start();
  return {
    id,
    node,
    logs,
    closed,
    url: (path) => node.rtmpUrl(path),
    waitForClose(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = closed.find(pred);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${id}: no matching connection close within ${timeoutMs} ms; closed: ${JSON.stringify(closed.map((c) => [c.reason, c.errorCode, c.message]))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    metric(name, labels = {}) {
      const sample = node
        .metrics()
        .find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
      return sample?.value ?? 0;
    },
    stop: () => node.stop(),
  };
}

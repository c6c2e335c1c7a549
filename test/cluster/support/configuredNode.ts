/**
 * An origin or edge built the way the executable builds one: loadConfig over an environment (so the RTMPC_*
 * shortcuts go through the real config code), then createNode, in-process, on free ports. Its JSON log lines
 * and the connections its RTMP server closed are recorded for the test to assert on.
 */
import type { ConnectionClosedEvent } from '@rtmp-cluster/server';
import { createNode, loadConfig, type NodeHandle } from 'rtmp-cluster';
import { NodeRecorder, type LogLine } from '../../support/NodeRecorder.js';
import { freePort } from '../../support/ports.js';
import { nodeEnvironment, type InfraUrls } from './clusterInfra.js';

export interface ConfiguredNode {
  id: string;
  node: NodeHandle;
  logs: LogLine[];
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
      ...nodeEnvironment(id, urls, { rtmp: rtmpPort, http: httpPort }),
      ...env,
    },
    hostname: id,
  });
  const recorder = new NodeRecorder(id, 'CLUSTER_LOG');
  const node = createNode(config, { logDestination: recorder.logDestination });
  recorder.watch(node);
  await node.start();
  return {
    id,
    node,
    logs: recorder.logs,
    closed: recorder.closed,
    url: (path) => node.rtmpUrl(path),
    waitForClose: (pred, timeoutMs) => recorder.waitForClose(pred, timeoutMs),
    metric(name, labels = {}) {
      const sample = node
        .metrics()
        .find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
      return sample?.value ?? 0;
    },
    stop: () => node.stop(),
  };
}

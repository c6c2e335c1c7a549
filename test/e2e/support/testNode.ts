/**
 * Starts an all-in-one node in-process on free ports with its JSON log lines captured, and records every
 * connection the RTMP server closed (with its reason), so tests can assert on both.
 */
import { createNode, defaultConfig, type NodeConfig, type NodeHandle } from 'rtmp-cluster';
import type { ConnectionClosedEvent } from '@rtmp-cluster/server';
import type { StreamHubOptions } from '@rtmp-cluster/media';
import { NodeRecorder, type LogLine } from '../../support/NodeRecorder.js';
import { waitFor } from '../../support/waitFor.js';

export interface TestNode {
  node: NodeHandle;
  logs: LogLine[];
  closed: ConnectionClosedEvent[];
  url(path: string): string;
  /** resolves with the first closed-connection event matching `pred` */
  waitForClose(pred: (e: ConnectionClosedEvent) => boolean, timeoutMs?: number): Promise<ConnectionClosedEvent>;
  stop(): Promise<void>;
}

export async function startTestNode(overrides: Partial<NodeConfig> = {}, hubOptions?: StreamHubOptions): Promise<TestNode> {
  const config: NodeConfig = {
    ...defaultConfig('e2e'),
    rtmpHost: '127.0.0.1',
    rtmpPort: 0,
    httpHost: '127.0.0.1',
    httpPort: 0,
    webHost: '127.0.0.1',
    webPort: 0,
    logLevel: 'info',
    drainTimeoutMs: 3000,
    ...overrides,
  };
  const recorder = new NodeRecorder('e2e node', 'E2E_LOG');
  const node = createNode(config, { hubOptions, logDestination: recorder.logDestination });
  recorder.watch(node);
  await node.start();
  return {
    node,
    logs: recorder.logs,
    closed: recorder.closed,
    url: (path: string) => node.rtmpUrl(path),
    waitForClose: (pred, timeoutMs) => recorder.waitForClose(pred, timeoutMs),
    stop: () => node.stop(),
  };
}

/** Polls the hub until `key` has a publisher. */
export function waitLive(t: TestNode, key: string, timeoutMs: number): Promise<void> {
  return waitFor(() => t.node.hub.isLive(key), timeoutMs, `${key} live`);
}

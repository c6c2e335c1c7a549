/**
 * Starts an all-in-one node in-process on free ports with its JSON log lines captured, and records every
 * connection the RTMP server closed (with its reason), so tests can assert on both.
 */
import { createNode, defaultConfig, type NodeConfig, type NodeHandle } from 'rtmp-cluster';
import type { ConnectionClosedEvent } from '@rtmp-cluster/server';
import type { StreamHubOptions } from '@rtmp-cluster/media';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

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
    logLevel: 'info',
    drainTimeoutMs: 3000,
    ...overrides,
  };
  const logs: LogLine[] = [];
  const node = createNode(config, {
    hubOptions,
    logDestination: {
      write(line: string): void {
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          logs.push({ level: 0, msg: line });
        }
        if (process.env.E2E_LOG) process.stderr.write(line);
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
    node,
    logs,
    closed,
    url: (path: string) => node.rtmpUrl(path),
    waitForClose(pred, timeoutMs = 10_000) {
      const found = closed.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const f = closed.find(pred);
          if (f) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(f);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching connection close within ${timeoutMs} ms; closed so far: ${JSON.stringify(closed.map((c) => [c.connId, c.reason, c.errorCode]))}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    stop: () => node.stop(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls the hub until `key` has a publisher. */
export async function waitLive(t: TestNode, key: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!t.node.hub.isLive(key)) {
    if (Date.now() > until) throw new Error(`${key} not live after ${timeoutMs} ms`);
    await sleep(50);
  }
}

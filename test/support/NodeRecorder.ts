/**
 * What a node under test said and did, for tests to assert on: its JSON log lines (given to createNode as
 * the log destination) and every connection its RTMP server closed, with the reason.
 */
import type { ConnectionClosedEvent } from '@rtmp-cluster/server';
import type { NodeHandle } from 'rtmp-cluster';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class NodeRecorder {
  readonly logs: LogLine[] = [];
  readonly closed: ConnectionClosedEvent[] = [];
  private readonly waiters = new Set<() => void>();

  /** `echoEnv`: when this environment variable is set, log lines are copied to stderr as well. */
  constructor(
    private readonly label: string,
    private readonly echoEnv: string,
  ) {}

  /** the log destination to give createNode; a line that is not JSON is kept as { level: 0, msg } */
  readonly logDestination = {
    write: (line: string): void => {
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.logs.push({ level: 0, msg: line });
      }
      if (process.env[this.echoEnv]) process.stderr.write(line);
    },
  };

  /** Records the node's closed connections from now on (call before node.start()). */
  watch(node: NodeHandle): void {
    node.rtmp.on('connectionClosed', (e) => {
      this.closed.push(e);
      for (const w of [...this.waiters]) w();
    });
  }

  /** Resolves with the first closed connection matching `pred` (one that closed already counts). */
  waitForClose(pred: (e: ConnectionClosedEvent) => boolean, timeoutMs = 10_000): Promise<ConnectionClosedEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.closed.find(pred);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = JSON.stringify(this.closed.map((c) => [c.connId, c.reason, c.errorCode, c.message]));
        reject(new Error(`${this.label}: no matching connection close within ${timeoutMs} ms; closed so far: ${seen}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }
}

/**
 * The built executable (packages/node/dist/cli.js) as a child process on free ports, so that hostile-input
 * tests measure the server's own memory (/proc/<pid>/status VmRSS) and read its /metrics, separately from
 * the test process that generates the load.
 */
import fs from 'node:fs';
import { CLI, executableEnv } from '../../support/executable.js';
import { freePort } from '../../support/ports.js';
import type { ClientProcess, ClientProcesses } from '../../support/rtmp-clients.js';


export interface ChildNode {
  proc: ClientProcess;
  rtmpPort: number;
  httpPort: number;
  url(p: string): string;
  /** resident set size of the server process, in bytes */
  rssBytes(): number;
  /** /metrics as `name{labels}` -> value */
  metrics(): Promise<Map<string, number>>;
  alive(): boolean;
}

export async function startChildNode(procs: ClientProcesses, env: Record<string, string>, timeoutMs = 600_000): Promise<ChildNode> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
  const rtmpPort = await freePort();
  const httpPort = await freePort();
  const proc = procs.spawn('node', [CLI, 'all-in-one'], {
    env: executableEnv({
      RTMPC_RTMP_HOST: '127.0.0.1',
      RTMPC_RTMP_PORT: String(rtmpPort),
      RTMPC_HTTP_HOST: '127.0.0.1',
      RTMPC_HTTP_PORT: String(httpPort),
      RTMPC_WEB_HOST: '127.0.0.1',
      RTMPC_WEB_PORT: '0',
      RTMPC_NODE_ID: 'security-child',
      RTMPC_LOG_LEVEL: 'warn',
      RTMPC_DRAIN_TIMEOUT_MS: '2000',
      ...env,
    }),
    timeoutMs,
    outputLimit: 64 * 1024,
  });
  const node: ChildNode = {
    proc,
    rtmpPort,
    httpPort,
    url: (p: string) => `rtmp://127.0.0.1:${rtmpPort}${p}`,
    rssBytes() {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!m) throw new Error('no VmRSS');
      return Number(m[1]) * 1024;
    },
    async metrics() {
      const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
      const text = await res.text();
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (line.startsWith('#') || line.trim() === '') continue;
        const sp = line.lastIndexOf(' ');
        out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
      }
      return out;
    },
    alive: () => proc.running(),
  };
  const until = Date.now() + 15_000;
  for (;;) {
    if (!proc.running()) throw new Error(`server exited at start:\n${proc.stderr()}\n${proc.stdout()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`server not ready:\n${proc.stdout().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return node;
}

/** Sum of a counter over its labels (e.g. every close reason), or one labelled sample. */
export function metricValue(m: Map<string, number>, name: string, labels?: Record<string, string>): number {
  if (labels) {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
    return m.get(`${name}{${l}}`) ?? 0;
  }
  let sum = 0;
  for (const [k, v] of m) if (k === name || k.startsWith(`${name}{`)) sum += v;
  return sum;
}

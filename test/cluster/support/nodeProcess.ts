/**
 * Origins and edges as separate processes of the built executable (packages/node/dist/cli.js), for the
 * scenarios that kill, stop or restart them. Each process is spawned through a ClientProcesses group (timeout,
 * stop by PID); its JSON log lines are parsed so tests can wait for what the node said.
 */
import { existsSync } from 'node:fs';
import { CLI } from '../../support/executable.js';
import { freePort } from '../../support/ports.js';
import type { ClientProcess, ClientProcesses } from '../../support/rtmp-clients.js';
import { sleep } from '../../support/waitFor.js';
import { nodeEnvironment, type InfraUrls } from './clusterInfra.js';
import { RELAY_TOKEN } from './inProcessNodes.js';


export interface NodeProcess {
  id: string;
  role: 'origin' | 'edge' | 'control';
  rtmpPort: number;
  httpPort: number;
  address: string;
  proc: ClientProcess;
  url(p: string): string;
  /** parsed JSON log lines so far */
  logs(): Array<Record<string, unknown>>;
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>>;
  signal(sig: NodeJS.Signals): void;
  metrics(): Promise<string>;
}

export async function startNodeProcess(
  group: ClientProcesses,
  role: 'origin' | 'edge' | 'control',
  id: string,
  urls: InfraUrls,
  env: Record<string, string> = {},
): Promise<NodeProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run \`npm run build\` before the cluster tests`);
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const proc = group.spawn(process.execPath, [CLI, role], {
    timeoutMs: 120_000,
    outputLimit: 4 * 1024 * 1024,
    env: {
      ...process.env,
      ...nodeEnvironment(id, urls, { rtmp: rtmpPort, http: httpPort }),
      RTMPC_RELAY_TOKEN: RELAY_TOKEN,
      RTMPC_LEASE_MS: '1500',
      RTMPC_NODE_TTL_MS: '2000',
      ...env,
    },
  });
  let parsedUpTo = 0;
  const lines: Array<Record<string, unknown>> = [];
  const logs = (): Array<Record<string, unknown>> => {
    const out = proc.stdout();
    const end = out.lastIndexOf('\n') + 1;
    if (end > parsedUpTo) {
      for (const l of out.slice(parsedUpTo, end).split('\n')) {
        if (!l) continue;
        try {
          lines.push(JSON.parse(l) as Record<string, unknown>);
        } catch {
          lines.push({ msg: l });
        }
      }
      parsedUpTo = end;
    }
    return lines;
  };
  const node: NodeProcess = {
    id,
    role,
    rtmpPort,
    httpPort,
    address: `127.0.0.1:${rtmpPort}`,
    proc,
    url: (p) => `rtmp://127.0.0.1:${rtmpPort}/${p.replace(/^\//, '')}`,
    logs,
    async waitForLog(pred, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs().find(pred);
        if (found) return found;
        if (!proc.running()) throw new Error(`${id} exited while waiting for ${what}:\n${proc.stderr().slice(-2000)}\n${proc.stdout().slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`${id}: no log line for ${what} within ${timeoutMs} ms:\n${proc.stdout().slice(-3000)}`);
        await sleep(50);
      }
    },
    signal(sig) {
      try {
        process.kill(proc.pid, sig);
      } catch {
        // already gone
      }
    },
    async metrics() {
      const r = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
      return r.text();
    },
  };
  await node.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('node started'), 15_000, 'node started');
  return node;
}

/** Value of a metric line `name{labels} value` / `name value` (first match), or undefined. */
export function metricValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) return Number(m[3]);
  }
  return undefined;
}

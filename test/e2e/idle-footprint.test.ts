/**
 * An idle all-in-one node, started as shipped (the built executable, default settings): it loads none of the
 * cluster backends' clients (Redis, NATS), no gRPC stack, none of Node's bundled fetch/WebSocket client and
 * none of the built-in modules only an option it does not have would use (TLS, https, fs/promises), and its RSS
 * stays within a bound above a bare `node` process measured on the same machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, spawnAllInOne } from '../support/executable.js';
import { ClientProcesses } from '../support/rtmp-clients.js';
import { sleep, waitFor } from '../support/waitFor.js';

const HOOK = pathToFileURL(path.resolve(import.meta.dirname, 'support/record-loaded-modules.mjs')).href;

/**
 * Third-party modules an all-in-one node has no use for: each was loaded at start before, for 5-15 MB of RSS
 * apiece. The project's own cluster, registry, events and control code ships inside the bundle, in the chunks
 * that only dynamic imports reach (checked below).
 */
const NOT_IN_ALL_IN_ONE = [/\/node_modules\/ioredis\//, /\/node_modules\/@nats-io\//, /\/node_modules\/@grpc\//, /\/node_modules\/protobufjs\//, /\/node_modules\/@opentelemetry\//];

/**
 * Built-in modules a node without RTMPS, a TLS Redis or an https webhook has no use for: about 3 MB of RSS for
 * node:tls and node:https, 1 MB for node:fs/promises (which an ES import of node:fs loads through a getter).
 */
const BUILTINS_NOT_LOADED = ['NativeModule tls', 'NativeModule https', 'NativeModule internal/fs/promises'];

/** The bundle's files that `cli.js` reaches through static imports: what a node loads before any `import()`. */
function staticClosure(entry: string): Set<string> {
  const dir = path.dirname(entry);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^;"'()]*?["']\.\/([^"']+\.js)["']|(?:^|[\s;])import\s*["']\.\/([^"']+\.js)["']/gm)) visit(m[1] ?? m[2]!);
  };
  visit(path.basename(entry));
  return seen;
}

/**
 * RSS (MiB, as /proc counts it) an idle all-in-one may use above a bare `node -e` process. Node 24: 42.1 bare; the
 * idle node 97 before the lazy loading, 72 after, 61 bundled, 59.7-60.1 with TLS, https and fs/promises left
 * unloaded (17.5-18.1 above bare; about 22 with them loaded, which this bound catches).
 * What remains is Node's built-in modules, the dependencies, the bundle and the pages of V8's optimizing
 * compilers that loading them warms up.
 */
const IDLE_RSS_ABOVE_BARE_NODE_MB = 20;

function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (kb === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) / 1024;
}

describe('idle all-in-one node', () => {
  const procs = new ClientProcesses();
  let tmp: string;

  beforeAll(() => {
    expect(fs.existsSync(CLI), `${CLI} missing: run npm run build first`).toBe(true);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-idle-'));
  });

  afterAll(async () => {
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('loads no Redis, NATS, gRPC or WebSocket client', async () => {
    const out = path.join(tmp, 'loaded.json');
    const node = await spawnAllInOne(procs, { NODE_OPTIONS: `--import=${HOOK}`, LOADED_MODULES_FILE: out });
    await waitFor(async () => (await node.status('/readyz').catch(() => 0)) === 200, 30_000, 'the node to be ready');
    const exit = await node.proc.stop(10_000);
    expect(exit.code, node.proc.stderr()).toBe(0);
    const loaded = JSON.parse(fs.readFileSync(out, 'utf8')) as { modules: string[]; builtins: string[] };
    // The hook saw the node's own modules, so an empty list cannot pass.
    expect(loaded.modules.some((u) => u.endsWith('/packages/node/bundle/cli.js'))).toBe(true);
    expect(loaded.modules.filter((u) => NOT_IN_ALL_IN_ONE.some((re) => re.test(u)))).toEqual([]);
    // Of the bundle, only what static imports reach: the chunks behind import() (cluster roles, the control
    // server and role) stay unloaded. There are such chunks, so the check can fail.
    const bundleDir = path.dirname(CLI);
    const eager = staticClosure(CLI);
    const lazy = fs.readdirSync(bundleDir).filter((f) => f.endsWith('.js') && !eager.has(f));
    expect(lazy.length).toBeGreaterThan(0);
    const loadedBundle = loaded.modules.filter((u) => u.includes('/packages/node/bundle/')).map((u) => path.basename(new URL(u).pathname));
    expect(loadedBundle.filter((f) => !eager.has(f))).toEqual([]);
    expect(loaded.builtins.filter((b) => b.includes('undici'))).toEqual([]);
    // The list holds what the node did load, so a filter that matches nothing cannot pass by accident.
    expect(loaded.builtins).toContain('NativeModule net');
    expect(loaded.builtins.filter((b) => BUILTINS_NOT_LOADED.includes(b))).toEqual([]);
  });

  it(`uses at most ${IDLE_RSS_ABOVE_BARE_NODE_MB} MB of RSS above a bare node process`, async () => {
    const bare = procs.spawn('node', ['-e', 'setTimeout(() => {}, 60_000)']);
    const node = await spawnAllInOne(procs, {});
    await waitFor(async () => (await node.status('/readyz').catch(() => 0)) === 200, 30_000, 'the node to be ready');
    await sleep(3000);
    const [idle, baseline] = [rssMb(node.proc.pid), rssMb(bare.pid)];
    await Promise.all([node.proc.stop(10_000), bare.stop(1000)]);
    expect(idle - baseline, `idle node ${idle.toFixed(1)} MB, bare node ${baseline.toFixed(1)} MB`).toBeLessThanOrEqual(IDLE_RSS_ABOVE_BARE_NODE_MB);
  });
});

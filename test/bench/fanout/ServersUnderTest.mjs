// The RTMP servers the fan-out benchmark compares, each started as its own
// process on a free 127.0.0.1 port, stdout/stderr to a log file in a temp dir.
import { execFileSync, spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../../..');
const OUR_CLI = path.join(REPO_ROOT, 'packages/node/bundle/cli.js');
const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const READY_TIMEOUT_MS = 15_000;

/** Every process the benchmark spawned and has not reaped yet, for cleanup on exit and SIGINT. */
export const spawnedPids = new Set();

/** SIGKILL to every process the benchmark spawned and has not reaped yet. */
export function killSpawned() {
  for (const pid of spawnedPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnedPids.clear();
}

/** The spawned servers end with this process, also on Ctrl-C and SIGTERM. */
export function killSpawnedOnExit() {
  process.on('exit', killSpawned);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `--pin`: the servers under test run on `serverCpus` and this process (the publisher and the player threads,
 * which inherit it) on the other CPUs, so the load generator never takes the server's core in the middle of a
 * flush cycle. Without it both share every core, and latency tails include the scheduler's slices.
 */
let serverCpus = null;
export function pinCpus({ server, loadGenerator }) {
  // -a: every thread this process has now; the worker threads it starts later inherit the mask.
  execFileSync('taskset', ['-a', '-cp', loadGenerator, String(process.pid)], { stdio: 'ignore' });
  serverCpus = server;
}

/** CPU split for `--pin` on this machine: the first CPU for the server, the rest for the load generator. */
export function defaultCpuSplit() {
  const n = os.availableParallelism();
  if (n < 2) throw new RangeError('--pin needs at least 2 CPUs');
  return { server: '0', loadGenerator: n === 2 ? '1' : `1-${n - 1}` };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function logTail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

/** Spawns, then waits until the RTMP port accepts connections (or the process dies). */
async function spawnServer(name, cmd, args, opts, port, logFile) {
  const fd = openSync(logFile, 'a');
  // taskset execs the server: the PID is the server's own
  const child = serverCpus === null ? spawn(cmd, args, { ...opts, stdio: ['ignore', fd, fd] }) : spawn('taskset', ['-c', serverCpus, cmd, ...args], { ...opts, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not spawn ${cmd}`);
  spawnedPids.add(pid);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      spawnedPids.delete(pid);
      resolve();
    });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await canConnect(port)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (exited || Date.now() >= deadline) {
    if (!exited) process.kill(pid, 'SIGKILL');
    await exitPromise;
    throw new Error(`${name} did not start listening on ${port} (${JSON.stringify(exited)}):\n${logTail(logFile)}`);
  }
  return {
    pid,
    port,
    logFile,
    async stop() {
      if (exited) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        if (!exited) process.kill(pid, 'SIGKILL');
      }, 3000);
      await exitPromise;
      clearTimeout(killer);
    },
    get exited() {
      return exited;
    },
  };
}

/**
 * nginx-rtmp, one worker, application `live` on a free port. `name` keeps the files of several instances in one
 * directory apart; `liveDirectives` are added to the application (an edge: `pull rtmp://host:port/live;`).
 */
export async function startNginxRtmp(dir, { name = 'nginx', liveDirectives = [] } = {}) {
  const port = await freePort();
  const conf = path.join(dir, `${name}.conf`);
  const errorLog = path.join(dir, `${name}-error.log`);
  writeFileSync(
    conf,
    [
      `load_module ${NGINX_RTMP_MODULE};`,
      'worker_processes 1;',
      'daemon off;',
      'master_process off;',
      `pid ${path.join(dir, `${name}.pid`)};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 8192; }',
      'rtmp {',
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    chunk_size 4096;',
      `    application live { live on; ${liveDirectives.join(' ')} }`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const bin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : '/usr/bin/nginx';
  return spawnServer(name, bin, ['-p', dir, '-e', errorLog, '-c', conf], { cwd: dir }, port, path.join(dir, `${name}.log`));
}

export const SERVERS = {
  ours: {
    label: 'rtmp-cluster',
    app: 'live',
    available() {
      return existsSync(OUR_CLI) ? null : `${OUR_CLI} not built (run npm run build)`;
    },
    /** `extraEnv` overrides settings (the web benchmark picks the web port) */
    async start(dir, extraEnv = {}) {
      const port = await freePort();
      const httpPort = await freePort();
      const env = {
        ...process.env,
        RTMPC_RTMP_HOST: '127.0.0.1',
        RTMPC_RTMP_PORT: String(port),
        RTMPC_HTTP_HOST: '127.0.0.1',
        RTMPC_HTTP_PORT: String(httpPort),
        RTMPC_WEB_HOST: '127.0.0.1',
        RTMPC_WEB_PORT: '0',
        RTMPC_GRPC_HOST: '127.0.0.1',
        RTMPC_GRPC_PORT: String(await freePort()),
        RTMPC_CHUNK_SIZE: '4096',
        RTMPC_LOG_LEVEL: 'warn',
        RTMPC_NODE_ID: 'bench',
        RTMPC_DRAIN_TIMEOUT_MS: '1000',
        // every bench player comes from 127.0.0.1: lift the per-address abuse limits (nginx-rtmp and NMS have none)
        RTMPC_CONN_RATE_PER_IP: '0',
        RTMPC_MAX_CONNECTIONS_PER_IP: '1000000',
        RTMPC_MAX_CONNECTIONS: '1000000',
        // as deploy/Dockerfile and npm start run it
        NODE_OPTIONS: '--max-semi-space-size=2',
        ...extraEnv,
      };
      const server = await spawnServer('rtmp-cluster', process.execPath, [OUR_CLI, 'all-in-one'], { env, cwd: dir }, port, path.join(dir, 'ours.log'));
      // the node's own view of the latency it adds (rtmpc_hub_send_latency_seconds), read by the benches
      server.metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
      return server;
    },
  },
  nginx: {
    label: 'nginx-rtmp',
    app: 'live',
    available() {
      if (!existsSync('/usr/sbin/nginx') && !existsSync('/usr/bin/nginx')) return 'nginx not installed (apt-get install -y nginx libnginx-mod-rtmp)';
      if (!existsSync(NGINX_RTMP_MODULE)) return `${NGINX_RTMP_MODULE} missing (apt-get install -y libnginx-mod-rtmp)`;
      return null;
    },
    async start(dir) {
      return startNginxRtmp(dir);
    },
  },
  nms: {
    label: 'node-media-server',
    app: 'live',
    available() {
      return existsSync(path.join(REPO_ROOT, 'node_modules/node-media-server/package.json')) ? null : 'node-media-server not installed (npm install)';
    },
    /** `httpPort` also starts its HTTP-FLV/WS-FLV listener there */
    async start(dir, { httpPort } = {}) {
      const port = await freePort();
      const runner = path.join(HERE, 'nms-runner.mjs');
      const args = [runner, String(port), dir, ...(httpPort ? [String(httpPort)] : [])];
      return spawnServer('node-media-server', process.execPath, args, { cwd: dir }, port, path.join(dir, 'nms.log'));
    },
  },
};

// The cluster the benchmark measures, as real processes on 127.0.0.1: redis-server, nats-server, and
// origins / edges of the built executable (packages/node/bundle/cli.js). Every PID is tracked so the
// benchmark can SIGKILL an origin on purpose and kill whatever is left at exit, also on SIGINT or a crash.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, freePort, spawnedPids } from '../fanout/ServersUnderTest.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../../..');
export const CLI = path.join(REPO_ROOT, 'packages/node/bundle/cli.js');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
/** log lines kept per process for waiting and error reports */
const MAX_KEPT_LINES = 20_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One spawned process: its output split into lines (JSON log lines parsed), kept and copied to a log file. */
class SpawnedProcess {
  constructor(name, cmd, args, env, logFile) {
    this.name = name;
    this.logFile = logFile;
    this.lines = [];
    this.exit = null;
    this.waiters = new Set();
    this.child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error(`${name}: could not spawn ${cmd}`);
    this.pid = this.child.pid;
    spawnedPids.add(this.pid);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        spawnedPids.delete(this.pid);
        for (const w of [...this.waiters]) w();
        resolve(this.exit);
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (text) => {
        if (this.logFile) appendFileSync(this.logFile, text);
        partial += text;
        const parts = partial.split('\n');
        partial = parts.pop();
        for (const raw of parts) if (raw) this.addLine(raw);
      });
    }
  }

  addLine(raw) {
    let line;
    try {
      line = JSON.parse(raw);
    } catch {
      line = { msg: raw };
    }
    if (this.lines.length >= MAX_KEPT_LINES) this.lines.splice(0, MAX_KEPT_LINES / 2);
    this.lines.push(line);
    for (const w of [...this.waiters]) w();
  }

  get running() {
    return this.exit === null;
  }

  /** Lines whose msg starts with `prefix`. */
  count(prefix) {
    let n = 0;
    for (const l of this.lines) if (typeof l.msg === 'string' && l.msg.startsWith(prefix)) n++;
    return n;
  }

  /** Resolves once pred() is true (re-checked on every output line), rejects on exit or timeout. */
  waitUntil(pred, timeoutMs, what) {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred()) finish(null);
        else if (this.exit) finish(new Error(`${this.name} exited (${JSON.stringify(this.exit)}) while waiting for ${what}\n${this.tail()}`));
      };
      const timer = setTimeout(() => finish(new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.tail()}`)), timeoutMs);
      const finish = (err) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  tail(n = 15) {
    return this.lines.slice(-n).map((l) => JSON.stringify(l)).join('\n');
  }

  signal(sig) {
    try {
      process.kill(this.pid, sig);
    } catch {
      // already gone
    }
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 3000) {
    if (this.exit) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export class ClusterUnderTest {
  /**
   * @param {object} o
   * @param {string} o.workDir temp dir (redis dir, log files)
   * @param {boolean} o.keepLogs copy every process's output to <workDir>/<name>.log
   * @param {Record<string,string>} o.nodeEnv RTMPC_* settings for every node
   */
  constructor(o) {
    this.o = o;
    this.processes = [];
    this.redisUrl = '';
    this.natsUrl = '';
  }

  spawn(name, cmd, args, env = {}) {
    const logFile = this.o.keepLogs ? path.join(this.o.workDir, `${name}.log`) : null;
    const p = new SpawnedProcess(name, cmd, args, env, logFile);
    this.processes.push(p);
    return p;
  }

  async startInfra() {
    const [redisPort, natsPort] = [await freePort(), await freePort()];
    const redis = this.spawn('redis', 'redis-server', ['--port', String(redisPort), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', this.o.workDir]);
    const nats = this.spawn('nats', 'nats-server', ['-a', HOST, '-p', String(natsPort)]);
    await Promise.all([this.waitForPort(redis, redisPort), this.waitForPort(nats, natsPort)]);
    this.redisUrl = `redis://${HOST}:${redisPort}`;
    this.natsUrl = `nats://${HOST}:${natsPort}`;
  }

  async waitForPort(proc, port) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!proc.running) throw new Error(`${proc.name} exited at start: ${JSON.stringify(proc.exit)}\n${proc.tail()}`);
      if (await canConnect(port)) return;
      await sleep(50);
    }
    throw new Error(`${proc.name} did not open port ${port} within ${READY_TIMEOUT_MS} ms`);
  }

  /** Starts an origin or edge process and waits for its 'node started' log line. */
  async startNode(role, id, env = {}) {
    if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build`);
    const [rtmpPort, httpPort] = [await freePort(), await freePort()];
    const proc = this.spawn(id, process.execPath, [CLI, role], {
      RTMPC_NODE_ID: id,
      RTMPC_RTMP_HOST: HOST,
      RTMPC_RTMP_PORT: String(rtmpPort),
      RTMPC_ADVERTISE_ADDRESS: `${HOST}:${rtmpPort}`,
      RTMPC_HTTP_HOST: HOST,
      RTMPC_HTTP_PORT: String(httpPort),
      RTMPC_WEB_HOST: '127.0.0.1',
      RTMPC_WEB_PORT: '0',
      RTMPC_REDIS_URL: this.redisUrl,
      RTMPC_NATS_SERVERS: this.natsUrl,
      RTMPC_CLUSTER_SECRET: 'bench-cluster-secret-0123',
      ...this.o.nodeEnv,
      ...env,
    });
    await proc.waitUntil(() => proc.count('node started') > 0, READY_TIMEOUT_MS, "'node started' log line");
    proc.id = id;
    proc.role = role;
    proc.rtmpPort = rtmpPort;
    return proc;
  }

  /** Nodes first (they release their claims while Redis and NATS are up), then the infrastructure. */
  async stopAll() {
    const nodes = this.processes.filter((p) => p.role && p.running);
    await Promise.all(nodes.map((p) => p.stop(3000)));
    const rest = this.processes.filter((p) => p.running);
    await Promise.all(rest.map((p) => p.stop(3000)));
  }
}

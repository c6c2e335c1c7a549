#!/usr/bin/env node
// A whole rtmp-cluster on loopback, as separate processes: redis-server, nats-server, two origins, two edges,
// the control plane and HAProxy in front of the edges (the topology of deploy/docker-compose.yml; names and
// ports in deploy/local-topology.mjs).
//
//   npm run cluster:local                       # runs until Ctrl-C (or q), then stops everything it started
//   npm run cluster:local -- restart NAME       # from another terminal: restart one process of a running cluster
//   ffmpeg -re -i in.flv -c copy -f flv rtmp://127.0.0.1:19351/live/cam1   # publish to origin-1
//   ffplay rtmp://127.0.0.1:19350/live/cam1                                # play through HAProxy
//
// A process that dies is reported and the rest keeps running, so failover can be watched: kill an origin and
// the players stay. Restart it with its key (shown at start) or `restart NAME`. A node that exits 0 (drained by
// `rtmpctl drain`) is started again at once, as a supervisor would. RTMPC_LOCAL_BASE moves the port block;
// RTMPC_LOCAL_EXIT_AFTER_MS stops the cluster by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controlSocketPath, DEFAULT_LOCAL_BASE, LOCAL_NODES, localPorts } from './local-topology.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const base = Number(process.env.RTMPC_LOCAL_BASE ?? DEFAULT_LOCAL_BASE);
const host = '127.0.0.1';
const ports = localPorts(base);
const socketPath = controlSocketPath(base, tmpdir());

// `restart NAME` (and `status`): talk to the running cluster and exit.
if (process.argv[2] === 'restart' || process.argv[2] === 'status') {
  const line = process.argv.slice(2).join(' ');
  const conn = createConnection(socketPath, () => conn.end(`${line}\n`));
  let reply = '';
  conn.on('data', (d) => (reply += d));
  conn.on('end', () => {
    process.stdout.write(reply);
    process.exit(reply.startsWith('ok') ? 0 : 1);
  });
  conn.on('error', (err) => {
    console.error(`[local-cluster] no local cluster answers at ${socketPath} (${err.code}): start one with npm run cluster:local`);
    process.exit(1);
  });
} else {
  await runCluster();
}

async function runCluster() {
  const work = mkdtempSync(join(tmpdir(), 'rtmpc-local-'));
  /** @type {Map<string, {name: string, kind: string, key: string, spec: {cmd: string, args: string[], env: object}, child?: import('node:child_process').ChildProcess, exited?: Promise<unknown>, restarting?: boolean}>} */
  const procs = new Map();
  let stopping = false;
  const say = (msg) => console.log(`[local-cluster] ${msg}`);

  // kind: 'infra' (redis, nats) stops last, 'node' drains first, 'lb' stops before the nodes.
  function define(name, kind, cmd, args, env = {}) {
    const key = String(procs.size + 1);
    procs.set(name, { name, kind, key, spec: { cmd, args, env } });
  }

  function launch(p) {
    const child = spawn(p.spec.cmd, p.spec.args, { env: { ...process.env, ...p.spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    p.child = child;
    p.exited = new Promise((r) => child.once('exit', r));
    const prefix = (line) => line && process.stdout.write(`[${p.name}] ${line}\n`);
    for (const s of [child.stdout, child.stderr]) {
      let buf = '';
      s.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop();
        lines.forEach(prefix);
      });
    }
    child.on('error', (err) => say(`${p.name} could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (stopping || p.restarting) return;
      if (p.kind === 'node' && code === 0) {
        say(`${p.name} drained and exited (code 0): starting a fresh one`);
        launch(p);
        return;
      }
      say(`${p.name} exited (${signal ? `signal ${signal}` : `code ${code}`}); the rest keeps running. ` +
        `Restart it with key ${p.key} or: npm run cluster:local -- restart ${p.name}`);
    });
    return child;
  }

  const running = (p) => p.child !== undefined && p.child.exitCode === null && p.child.signalCode === null;

  async function restart(name) {
    const p = procs.get(name);
    if (!p) throw new Error(`no process named ${name} (${[...procs.keys()].join(', ')})`);
    if (running(p)) {
      p.restarting = true;
      p.child.kill('SIGTERM');
      let timer;
      await Promise.race([p.exited, new Promise((r) => (timer = setTimeout(r, 15000)))]);
      clearTimeout(timer);
      if (running(p)) p.child.kill('SIGKILL');
      await p.exited;
      p.restarting = false;
    }
    say(`restarting ${name}`);
    launch(p);
    return p.child.pid;
  }

  // Generous: on a busy machine seven processes starting at once take a while.
  async function waitForPort(port, timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ok = await new Promise((res) => {
        const s = createConnection(port, host, () => { s.destroy(); res(true); });
        s.on('error', () => res(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
  }

  // Commands from `npm run cluster:local -- restart NAME` (and `status`, for scripts and tests).
  rmSync(socketPath, { force: true });
  const commands = createServer((conn) => {
    let buf = '';
    conn.on('data', (d) => {
      buf += d;
      if (!buf.includes('\n')) return;
      const [verb, name] = buf.trim().split(/\s+/);
      if (verb === 'status') {
        const status = Object.fromEntries([...procs.values()].map((p) => [p.name, { pid: p.child?.pid ?? null, running: running(p) }]));
        conn.end(`ok ${JSON.stringify(status)}\n`);
      } else if (verb === 'restart' && name) {
        restart(name).then((pid) => conn.end(`ok restarted ${name} (pid ${pid})\n`), (err) => conn.end(`error: ${err.message}\n`));
      } else {
        conn.end('error: expected "restart NAME" or "status"\n');
      }
    });
    conn.on('error', () => undefined);
  });
  commands.listen(socketPath);

  async function stop(code = 0) {
    if (stopping) return;
    stopping = true;
    commands.close();
    rmSync(socketPath, { force: true });
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    // The load balancer first (no new players), then the nodes (they drain and release their claims while
    // Redis and NATS are still up), then the infrastructure. Each phase waits up to 10 s, then SIGKILL.
    for (const kind of ['lb', 'node', 'infra']) {
      const phase = [...procs.values()].filter((p) => p.kind === kind && running(p));
      for (const p of phase) p.child.kill('SIGTERM');
      let timer;
      await Promise.race([Promise.all(phase.map((p) => p.exited)), new Promise((r) => (timer = setTimeout(r, 10000)))]);
      clearTimeout(timer);
      for (const p of phase) if (running(p)) p.child.kill('SIGKILL');
    }
    rmSync(work, { recursive: true, force: true });
    say('stopped');
    process.exit(code);
  }
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const cli = join(root, 'packages/node/bundle/cli.js');
  const controlToken = process.env.RTMPC_CONTROL_TOKEN ?? 'local-control-token';
  define('redis', 'infra', 'redis-server', ['--port', String(ports.redis), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', work]);
  define('nats', 'infra', 'nats-server', ['-a', host, '-p', String(ports.nats)]);
  for (const { name, role } of LOCAL_NODES) {
    define(name, 'node', process.execPath, [cli, role], {
      RTMPC_REDIS_URL: `redis://${host}:${ports.redis}`,
      RTMPC_NATS_SERVERS: `nats://${host}:${ports.nats}`,
      RTMPC_RELAY_TOKEN: process.env.RTMPC_RELAY_TOKEN ?? 'local-relay-token',
      RTMPC_CLUSTER_SECRET: process.env.RTMPC_CLUSTER_SECRET ?? 'local-cluster-secret-change-me',
      RTMPC_RTMP_HOST: host,
      RTMPC_HTTP_HOST: host,
      RTMPC_GRPC_HOST: host,
      RTMPC_NODE_ID: name,
      RTMPC_RTMP_PORT: String(ports.rtmp[name]),
      RTMPC_HTTP_PORT: String(ports.http[name]),
      RTMPC_WEB_HOST: host,
      RTMPC_WEB_PORT: '0',
      RTMPC_ADVERTISE_ADDRESS: `${host}:${ports.rtmp[name]}`,
      // HAProxy (deploy/haproxy.cfg) sends PROXY v2 headers to the edges; publishers reach origins directly.
      ...(role === 'edge' ? { RTMPC_PROXY_PROTOCOL: 'optional', RTMPC_PROXY_TRUSTED_CIDRS: `${host}/32` } : {}),
      // The control node has no RTMP listener; its RTMP port setting is unused but must be valid.
      ...(role === 'control' ? { RTMPC_GRPC_PORT: String(ports.grpc), RTMPC_CONTROL_TOKEN: controlToken } : {}),
    });
  }
  define('haproxy', 'lb', 'haproxy', ['-db', '-f', join(root, 'deploy/haproxy.cfg')], {
    RTMPC_LB_BIND: `${host}:${ports.lb}`,
    RTMPC_EDGE1_RTMP: `${host}:${ports.rtmp['edge-1']}`,
    RTMPC_EDGE1_HTTP_PORT: String(ports.http['edge-1']),
    RTMPC_EDGE2_RTMP: `${host}:${ports.rtmp['edge-2']}`,
    RTMPC_EDGE2_HTTP_PORT: String(ports.http['edge-2']),
  });

  try {
    launch(procs.get('redis'));
    launch(procs.get('nats'));
    await Promise.all([waitForPort(ports.redis), waitForPort(ports.nats)]);
    for (const { name } of LOCAL_NODES) launch(procs.get(name));
    await Promise.all([...LOCAL_NODES.filter((n) => n.role !== 'control').map((n) => waitForPort(ports.rtmp[n.name])), waitForPort(ports.grpc)]);
    launch(procs.get('haproxy'));
    await waitForPort(ports.lb);
  } catch (err) {
    say(`failed to start: ${err.message}`);
    await stop(1);
  }
  const keys = [...procs.values()].map((p) => `${p.key} ${p.name}`).join(', ');
  say(`ready
  publish: ffmpeg -re -i in.flv -c copy -f flv rtmp://${host}:${ports.rtmp['origin-1']}/live/cam1   (or :${ports.rtmp['origin-2']})
  play:    ffplay rtmp://${host}:${ports.lb}/live/cam1   (HAProxy -> edges :${ports.rtmp['edge-1']}, :${ports.rtmp['edge-2']})
  control: npx rtmpctl --address ${host}:${ports.grpc} --token ${controlToken} streams
  restart a process: press its key (${keys}) or npm run cluster:local -- restart NAME
  stop: Ctrl-C or q`);
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (k) => {
      if (k === 'q' || k === '\u0003') return void stop(0);
      const p = [...procs.values()].find((x) => x.key === k);
      if (p) restart(p.name).catch((err) => say(err.message));
    });
  }
  const exitAfter = Number(process.env.RTMPC_LOCAL_EXIT_AFTER_MS ?? 0);
  if (exitAfter > 0) setTimeout(() => void stop(0), exitAfter);
}

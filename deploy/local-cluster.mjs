#!/usr/bin/env node
// A whole rtmp-cluster on loopback, as separate processes: redis-server, nats-server, two origins, two edges,
// the control plane and HAProxy in front of the edges (the topology of deploy/docker-compose.yml).
//
//   npm run cluster:local                       # runs until Ctrl-C, then stops everything it started
//   ffmpeg -re -i in.flv -c copy -f flv rtmp://127.0.0.1:19351/live/cam1   # publish to origin-1
//   ffplay rtmp://127.0.0.1:19350/live/cam1                                # play through HAProxy
//
// Ports: RTMPC_LOCAL_BASE (default 19350): +0 HAProxy, +1/+2 origins, +3/+4 edges, +5 control (RTMP setting,
// unused), +10.. HTTP, +20 gRPC,
// +30 redis, +31 nats. Set RTMPC_LOCAL_EXIT_AFTER_MS to stop by itself (used by its test).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const base = Number(process.env.RTMPC_LOCAL_BASE ?? 19350);
const host = '127.0.0.1';
const ports = {
  lb: base, origin1: base + 1, origin2: base + 2, edge1: base + 3, edge2: base + 4,
  control: base + 5, http: (i) => base + 10 + i, grpc: base + 20, redis: base + 30, nats: base + 31,
};
const work = mkdtempSync(join(tmpdir(), 'rtmpc-local-'));
const children = [];
let stopping = false;

// kind: 'infra' (redis, nats) stops last, 'node' drains first, 'lb' stops before the nodes.
function start(name, cmd, args, env = {}, { kind = 'infra', optional = false } = {}) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { name, child, kind, exited: new Promise((r) => child.once('exit', r)) };
  children.push(entry);
  const prefix = (line) => line && process.stdout.write(`[${name}] ${line}\n`);
  for (const s of [child.stdout, child.stderr]) {
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      lines.forEach(prefix);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping && optional && code === 2) {
      // e.g. a role this build does not run yet: the rest of the cluster works without it
      console.error(`[local-cluster] ${name} did not start (exit code 2); continuing without it`);
      children.splice(children.indexOf(entry), 1);
      return;
    }
    if (!stopping) {
      console.error(`[local-cluster] ${name} exited (code ${code}, signal ${signal}); stopping the cluster`);
      void stop(1);
    }
  });
  return child;
}

async function waitForPort(port, timeoutMs = 15000) {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((res) => {
      const s = connect(port, host, () => { s.destroy(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // The load balancer first (no new players), then the nodes (they drain and release their claims while
  // Redis and NATS are still up), then the infrastructure. Each phase waits up to 10 s, then SIGKILL.
  for (const kind of ['lb', 'node', 'infra']) {
    const phase = children.filter((c) => c.kind === kind && c.child.exitCode === null && c.child.signalCode === null);
    for (const { child } of phase) child.kill('SIGTERM');
    let timer;
    await Promise.race([Promise.all(phase.map((c) => c.exited)), new Promise((r) => (timer = setTimeout(r, 10000)))]);
    clearTimeout(timer);
    for (const { child } of phase) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
  console.log('[local-cluster] stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const cli = join(root, 'packages/node/dist/cli.js');
const common = {
  RTMPC_REDIS_URL: `redis://${host}:${ports.redis}`,
  RTMPC_NATS_SERVERS: `nats://${host}:${ports.nats}`,
  RTMPC_RELAY_TOKEN: process.env.RTMPC_RELAY_TOKEN ?? 'local-relay-token',
  RTMPC_RTMP_HOST: host,
  RTMPC_HTTP_HOST: host,
  RTMPC_GRPC_HOST: host,
};
const controlToken = process.env.RTMPC_CONTROL_TOKEN ?? 'local-control-token';
const node = (name, role, rtmpPort, httpPort, extra = {}, opts = {}) =>
  start(
    name,
    process.execPath,
    [cli, role],
    {
      ...common,
      RTMPC_NODE_ID: name,
      RTMPC_RTMP_PORT: String(rtmpPort),
      RTMPC_HTTP_PORT: String(httpPort),
      RTMPC_WEB_HOST: '127.0.0.1',
      RTMPC_WEB_PORT: '0',
      RTMPC_ADVERTISE_ADDRESS: `${host}:${rtmpPort}`,
      ...extra,
    },
    { kind: 'node', ...opts },
  );

try {
  start('redis', 'redis-server', ['--port', String(ports.redis), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', work]);
  start('nats', 'nats-server', ['-a', host, '-p', String(ports.nats)]);
  await Promise.all([waitForPort(ports.redis), waitForPort(ports.nats)]);
  node('origin-1', 'origin', ports.origin1, ports.http(1));
  node('origin-2', 'origin', ports.origin2, ports.http(2));
  node('edge-1', 'edge', ports.edge1, ports.http(3));
  node('edge-2', 'edge', ports.edge2, ports.http(4));
  // The control node has no RTMP listener; its RTMP port setting is unused but must be valid.
  const control = node('control', 'control', ports.control, ports.http(5), { RTMPC_GRPC_PORT: String(ports.grpc), RTMPC_CONTROL_TOKEN: controlToken }, { optional: true });
  await Promise.all([ports.origin1, ports.origin2, ports.edge1, ports.edge2].map((p) => waitForPort(p)));
  const controlUp = control.exitCode === null && await Promise.race([waitForPort(ports.grpc).then(() => true, () => false), new Promise((r) => control.once('exit', () => r(false)))]);
  start(
    'haproxy',
    'haproxy',
    ['-db', '-f', join(root, 'deploy/haproxy.cfg')],
    {
      RTMPC_LB_BIND: `${host}:${ports.lb}`,
      RTMPC_EDGE1_RTMP: `${host}:${ports.edge1}`,
      RTMPC_EDGE1_HTTP_PORT: String(ports.http(3)),
      RTMPC_EDGE2_RTMP: `${host}:${ports.edge2}`,
      RTMPC_EDGE2_HTTP_PORT: String(ports.http(4)),
    },
    { kind: 'lb' },
  );
  await waitForPort(ports.lb);
  console.log(`[local-cluster] ready
  publish: ffmpeg -re -i in.flv -c copy -f flv rtmp://${host}:${ports.origin1}/live/cam1   (or :${ports.origin2})
  play:    ffplay rtmp://${host}:${ports.lb}/live/cam1   (HAProxy -> edges :${ports.edge1}, :${ports.edge2})
  control: ${controlUp ? `rtmpctl --address ${host}:${ports.grpc} --token ${controlToken} streams` : '(control node not running)'}
  Ctrl-C stops everything.`);
  const exitAfter = Number(process.env.RTMPC_LOCAL_EXIT_AFTER_MS ?? 0);
  if (exitAfter > 0) setTimeout(() => void stop(0), exitAfter);
} catch (err) {
  console.error(`[local-cluster] failed to start: ${err.message}`);
  await stop(1);
}

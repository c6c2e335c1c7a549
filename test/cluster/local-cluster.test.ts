/**
 * `npm run cluster:local` (deploy/local-cluster.mjs) as a user runs it: when an origin dies the script says so and
 * keeps the rest running, a player on the edges keeps playing while the publisher moves to the other origin, and
 * `npm run cluster:local -- restart NAME` brings the dead origin back. docker-compose.yml has the same names and
 * host ports, a health check on every service and start order by health.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_LOCAL_BASE, LOCAL_NODES, localPorts } from '../../deploy/local-topology.mjs';
import { executableEnv } from '../support/executable.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams, type ClientProcess } from '../support/rtmp-clients.js';
import { sleep, waitFor } from '../support/waitFor.js';

const REPO = resolve(import.meta.dirname, '../..');
const SCRIPT = resolve(REPO, 'deploy/local-cluster.mjs');

/** A block of `size` consecutive loopback ports nobody listens on (the script takes a whole block). */
async function freePortBlock(size: number): Promise<number> {
  const canBind = (port: number) =>
    new Promise<boolean>((res) => {
      const s = net.createServer();
      s.once('error', () => res(false));
      s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 800) * 50;
    let ok = true;
    for (let p = base; p < base + size && ok; p++) ok = await canBind(p);
    if (ok) return base;
  }
  throw new Error('no free port block');
}

describe('npm run cluster:local', () => {
  const procs = new ClientProcesses();
  let cluster: ClientProcess;
  let base: number;
  let flv: string;
  const env = () => executableEnv({ RTMPC_LOCAL_BASE: String(base) });
  const command = (args: string[]) => procs.run('node', [SCRIPT, ...args], { env: env(), timeoutMs: 30_000 });
  const status = async (): Promise<Record<string, { pid: number | null; running: boolean }>> => {
    const r = await command(['status']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.slice('ok '.length)) as Record<string, { pid: number | null; running: boolean }>;
  };

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 6, width: 320, height: 240, fps: 25, gop: 25 });
    base = await freePortBlock(32);
    cluster = procs.spawn('node', [SCRIPT], { env: env(), timeoutMs: 300_000 });
    try {
      await waitFor(() => cluster.stdout().includes('[local-cluster] ready') || !cluster.running(), 120_000, 'the local cluster ready', 100);
    } finally {
      if (!cluster.stdout().includes('[local-cluster] ready')) throw new Error(`the local cluster did not start:\n${cluster.stdout().slice(-4000)}\n${cluster.stderr().slice(-2000)}`);
    }
  }, 150_000);

  afterAll(() => procs.stopAll());

  it('reports a dead origin, keeps the rest running and players playing, and restarts it on request', async () => {
    const ports = localPorts(base);
    const publisher = ffmpegPublish(procs, flv, `rtmp://127.0.0.1:${ports.rtmp['origin-1']}/live/cam1`, { loop: true });
    await waitFor(async () => {
      const p = await ffprobeStreams(procs, `rtmp://127.0.0.1:${ports.lb}/live/cam1`, { seconds: 1 }).catch(() => undefined);
      return p?.streams.some((s) => s.codec_name === 'h264') ?? false;
    }, 30_000, 'the stream playable through HAProxy', 500);
    const player = procs.spawn('ffmpeg', ['-v', 'error', '-i', `rtmp://127.0.0.1:${ports.lb}/live/cam1`, '-f', 'null', '-'], { timeoutMs: 120_000 });

    const before = await status();
    expect(Object.keys(before).sort()).toEqual(['control', 'edge-1', 'edge-2', 'haproxy', 'nats', 'origin-1', 'origin-2', 'redis']);
    expect(Object.values(before).every((p) => p.running)).toBe(true);
    // The origin dies as a crashed process does.
    process.kill(before['origin-1']!.pid!, 'SIGKILL');
    await waitFor(() => cluster.stdout().includes('[local-cluster] origin-1 exited (signal SIGKILL); the rest keeps running.'), 10_000, 'the death reported', 100);
    expect(cluster.stdout()).toContain('npm run cluster:local -- restart origin-1');
    await waitFor(() => !publisher.running(), 10_000, 'the publisher cut off', 100);
    // The publisher moves to the other origin; the player on the edge stays.
    const moved = ffmpegPublish(procs, flv, `rtmp://127.0.0.1:${ports.rtmp['origin-2']}/live/cam1`, { loop: true });
    await sleep(5000);
    expect(player.running(), player.stderr()).toBe(true);
    expect(moved.running()).toBe(true);
    const after = await status();
    expect(after['origin-1']!.running).toBe(false);
    for (const name of ['redis', 'nats', 'origin-2', 'edge-1', 'edge-2', 'control', 'haproxy']) expect(after[name]!.running, name).toBe(true);
    expect(cluster.running()).toBe(true);

    const restarted = await command(['restart', 'origin-1']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^ok restarted origin-1 \(pid \d+\)\n$/);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.http['origin-1']}/readyz`).catch(() => undefined))?.status === 200, 20_000, 'origin-1 ready again', 200);
    expect((await status())['origin-1']!.running).toBe(true);
    expect((await command(['restart', 'origin-9'])).stdout).toContain('error: no process named origin-9');
    await Promise.all([player.stop(), moved.stop()]);

    const stopped = cluster.exited;
    await cluster.stop(30_000);
    expect((await stopped).code).toBe(0);
    expect(cluster.stdout()).toContain('[local-cluster] stopped');
  }, 150_000);

  it('docker-compose.yml: the same names and host ports, health checks everywhere, start order by health', () => {
    const compose = parse(readFileSync(resolve(REPO, 'deploy/docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { ports?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }> }>;
    };
    const ports = localPorts(DEFAULT_LOCAL_BASE);
    const services = compose.services;
    expect(Object.keys(services).sort()).toEqual(['control', 'edge-1', 'edge-2', 'haproxy', 'nats', 'origin-1', 'origin-2', 'redis']);
    for (const { name, role } of LOCAL_NODES) {
      if (role === 'control') expect(services[name]!.ports).toEqual([`${ports.grpc}:50051`]);
      else expect(services[name]!.ports).toEqual([`${ports.rtmp[name]}:1935`]);
    }
    expect(services.haproxy!.ports).toEqual([`${ports.lb}:1935`]);
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test[0], `${name} health check`).toBe('CMD');
      for (const [dep, d] of Object.entries(s.depends_on ?? {})) expect(d.condition, `${name} -> ${dep}`).toBe('service_healthy');
    }
    expect(Object.keys(services['origin-1']!.depends_on!).sort()).toEqual(['nats', 'redis']);
    expect(Object.keys(services.haproxy!.depends_on!).sort()).toEqual(['edge-1', 'edge-2']);
  });
});

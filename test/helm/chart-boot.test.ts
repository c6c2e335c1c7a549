/**
 * Boots the cluster exactly as the chart configures it: the rendered origin, edge and control containers'
 * command, args and environment (ConfigMap, Secret and downward-API values resolved the way the kubelet
 * would) run as local processes, with Kubernetes addresses mapped to loopback ports. Readiness is checked
 * with the rendered probes; ffmpeg publishes to the origin (what the ingest Service targets) and ffprobe plays
 * through the edge (what the playback Service targets).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart, type K8sObject } from '../support/helm.js';
import { makeTestFlv } from '../support/media.js';
import { startNats, type NatsServerHandle } from '../support/nats-server.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServerHandle } from '../support/redis-server.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';

const REPO = resolve(import.meta.dirname, '../..');
const NAMESPACE = 'streaming';

interface Booted {
  name: string;
  child: ChildProcess;
  env: Record<string, string>;
  rtmpPort: number;
  httpPort: number;
  grpcPort: number;
  output: string[];
}

/** $(VAR) expansion as the kubelet does it: only variables defined earlier in the list. */
const expand = (value: string, env: Record<string, string>) => value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);

function containerEnv(objs: K8sObject[], workload: K8sObject, podName: string): Record<string, string> {
  const c = workload.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef.name);
    if (!cm) throw new Error(`ConfigMap ${from.configMapRef.name} is not rendered`);
    Object.assign(env, cm.data);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(String(e.value), env);
    else if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      env[e.name] = field === 'metadata.name' ? podName : field === 'metadata.namespace' ? NAMESPACE : field === 'status.podIP' ? '127.0.0.1' : '';
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = objs.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name);
      if (!secret) throw new Error(`Secret ${ref.name} is not rendered`);
      env[e.name] = Buffer.from(secret.data![ref.key]!, 'base64').toString('utf8');
    }
  }
  return env;
}

async function boot(objs: K8sObject[], workload: K8sObject, podName: string): Promise<Booted> {
  const c = workload.spec.template.spec.containers[0];
  const env = containerEnv(objs, workload, podName);
  const [rtmpPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  // Map the pod's ports and cluster DNS names to loopback: each process gets its own ports on 127.0.0.1.
  const mapped: Record<string, string> = {
    ...env,
    RTMPC_RTMP_HOST: '127.0.0.1',
    RTMPC_RTMP_PORT: String(rtmpPort),
    RTMPC_HTTP_HOST: '127.0.0.1',
    RTMPC_HTTP_PORT: String(httpPort),
    RTMPC_WEB_HOST: '127.0.0.1',
    RTMPC_WEB_PORT: '0',
    RTMPC_GRPC_HOST: '127.0.0.1',
    RTMPC_GRPC_PORT: String(grpcPort),
  };
  if (env.RTMPC_ADVERTISE_ADDRESS) mapped.RTMPC_ADVERTISE_ADDRESS = `127.0.0.1:${rtmpPort}`;
  const [cmd, ...cmdArgs] = (c.command as string[]).map((a) => a.replace(/^\/app\//, `${REPO}/`));
  const child = spawn(cmd === 'node' ? process.execPath : cmd!, [...cmdArgs, ...(c.args as string[])], {
    env: { PATH: process.env.PATH ?? '', ...mapped },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name: podName, child, env, rtmpPort, httpPort, grpcPort, output };
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, node?: Booted): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (node && node.child.exitCode !== null) throw new Error(`${node.name} exited: ${node.output.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${node ? `: ${node.output.join('').slice(-2000)}` : ''}`);
}

/** The rendered readinessProbe, run against the mapped port. */
async function probeReady(workload: K8sObject, node: Booted): Promise<void> {
  const probe = workload.spec.template.spec.containers[0].readinessProbe;
  if (probe.httpGet) {
    await waitUntil(`${node.name} ${probe.httpGet.path}`, async () => {
      const res = await fetch(`http://127.0.0.1:${node.httpPort}${probe.httpGet.path}`);
      return res.status === 200 ? true : undefined;
    }, 20_000, node);
  } else if (probe.grpc) {
    const Health = grpc.makeClientConstructor(healthService, 'grpc.health.v1.Health');
    const client = new Health(`127.0.0.1:${node.grpcPort}`, grpc.credentials.createInsecure()) as any;
    try {
      await waitUntil(`${node.name} gRPC health`, () => new Promise<true | undefined>((res) => {
        client.check({ service: probe.grpc.service ?? '' }, (err: Error | null, reply: { status: string | number }) =>
          res(!err && (reply.status === 'SERVING' || reply.status === 1) ? true : undefined));
      }), 20_000, node);
    } finally {
      client.close();
    }
  } else {
    throw new Error(`no readiness probe on ${node.name}`);
  }
}

describe('the chart boots a working cluster', () => {
  let redis: RedisServerHandle;
  let nats: NatsServerHandle;
  const nodes: Booted[] = [];
  const clients = new ClientProcesses();
  let objs: K8sObject[];

  beforeAll(async () => {
    [redis, nats] = await Promise.all([startRedis(), startNats()]);
    objs = renderChart([], [
      `redis.url=${redis.url}`,
      `nats.servers=${nats.url}`,
      'origin.replicas=1',
      'edge.autoscaling.enabled=false',
      'edge.replicas=1',
    ]);
  }, 60_000);

  afterAll(async () => {
    await clients.stopAll();
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGKILL');
    await Promise.all([redis?.stop(), nats?.stop()]);
  });

  it('origin, edge and control from the rendered manifests: publish to the ingest target, play through the edge', async () => {
    const byComponent = (kind: string, component: string) =>
      objs.find((o) => o.kind === kind && o.metadata.labels?.['app.kubernetes.io/component'] === component)!;
    const sts = byComponent('StatefulSet', 'origin');
    const edgeDep = byComponent('Deployment', 'edge');
    const controlDep = byComponent('Deployment', 'control');

    const origin = await boot(objs, sts, `${sts.metadata.name}-0`);
    nodes.push(origin);
    // The rendered advertise address is the pod's stable headless-Service name; the registry gets it mapped.
    expect(origin.env.RTMPC_ADVERTISE_ADDRESS).toBe(`${sts.metadata.name}-0.${sts.spec.serviceName}.${NAMESPACE}.svc.cluster.local:1935`);
    expect(origin.env.RTMPC_NODE_ID).toBe(`${sts.metadata.name}-0`);
    expect(origin.env.RTMPC_RELAY_TOKEN.length).toBeGreaterThanOrEqual(20);
    const edge = await boot(objs, edgeDep, `${edgeDep.metadata.name}-7d9f-abcde`);
    nodes.push(edge);
    const control = await boot(objs, controlDep, `${controlDep.metadata.name}-5c4b-fghij`);
    nodes.push(control);
    await Promise.all([probeReady(sts, origin), probeReady(edgeDep, edge), probeReady(controlDep, control)]);

    const flv = await makeTestFlv(undefined, { seconds: 8, width: 320, height: 240 });
    const publisher = ffmpegPublish(clients, flv, `rtmp://127.0.0.1:${origin.rtmpPort}/live/chart`, { loop: true });
    // Give the origin time to claim the stream, then play through the edge (which pulls from the origin).
    await waitUntil('the published stream in the origin metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${origin.httpPort}/metrics`)).text();
      return /rtmpc_streams(\{[^}]*\})? [1-9]/.test(text) ? true : undefined;
    }, 20_000, origin);
    const probe = await ffprobeStreams(clients, `rtmp://127.0.0.1:${edge.rtmpPort}/live/chart`, { seconds: 3 });
    expect(probe.result.stderr).toBe('');
    const video = probe.streams.find((s) => s.codec_type === 'video');
    const audio = probe.streams.find((s) => s.codec_type === 'audio');
    expect(video).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(Number(video!.nb_read_packets)).toBeGreaterThan(10);
    expect(audio?.codec_name).toBe('aac');
    expect(publisher.running()).toBe(true);
    await publisher.stop();

    // SIGTERM (what Kubernetes sends after preStop) drains and exits 0 within the rendered grace period.
    const grace = edgeDep.spec.template.spec.terminationGracePeriodSeconds as number;
    const exited = new Promise<number | null>((res) => edge.child.once('exit', (code) => res(code)));
    edge.child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), grace * 1000))]);
    expect(code).toBe(0);
  }, 120_000);
});

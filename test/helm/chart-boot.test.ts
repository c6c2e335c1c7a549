/**
 * Boots the cluster exactly as the chart's default values configure it: the bundled Redis and NATS run as
 * redis-server and nats-server with the rendered command, args and configuration files (from their Secrets, so the
 * same users, passwords and ACLs), and the rendered origin, edge and control containers' command, args and
 * environment (ConfigMap, Secret and downward-API values resolved the way the kubelet would) run as local processes,
 * with Kubernetes addresses mapped to loopback ports. Readiness is checked with the rendered probes. The helm test
 * pod's own minting script signs the publish URL; ffmpeg publishes to the origin (what the ingest Service targets)
 * and ffprobe plays through the edge (what the playback Service targets); a publish without a key is refused.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart, type K8sObject } from '../support/helm.js';
import { makeTestFlv } from '../support/media.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { startRestartableServer, type RestartableServer } from '../support/spawned-process.js';

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
  // The bundled servers' Service names, as the cluster DNS would resolve them.
  for (const [name, value] of Object.entries(mapped)) mapped[name] = serviceAddresses.map(value);
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

/** Cluster DNS for the test: `<service>:<port>` inside URLs becomes the loopback port the local server listens on. */
const serviceAddresses = {
  byService: new Map<string, string>(),
  map(value: string): string {
    let out = value;
    for (const [service, local] of this.byService) out = out.split(service).join(local);
    return out;
  },
};

/**
 * A bundled backend (redis or nats Deployment) started the way the chart starts it: its rendered command and args,
 * with the Secret-mounted configuration written to a local folder standing in for the mount, plus `local(port)`
 * (only where the pod's fixed ports would clash on one machine).
 */
async function startBundled(objs: K8sObject[], component: string, dir: string, local: (port: number) => string[]): Promise<RestartableServer> {
  const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === component)!;
  const pod = dep.spec.template.spec;
  const c = pod.containers[0];
  let args: string[] = [...c.args];
  for (const mount of c.volumeMounts ?? []) {
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    if (!volume?.secret) continue;
    const secret = objs.find((o) => o.kind === 'Secret' && o.metadata.name === volume.secret.secretName)!;
    const target = join(dir, component, mount.mountPath);
    mkdirSync(target, { recursive: true });
    for (const item of volume.secret.items) writeFileSync(join(target, item.path), Buffer.from(secret.data![item.key]!, 'base64'));
    args = args.map((a) => a.startsWith(`${mount.mountPath}/`) ? join(target, a.slice(mount.mountPath.length + 1)) : a);
  }
  const [command] = c.command as string[];
  return startRestartableServer(command!, (port) => [...args, ...local(port)], undefined);
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
  let redis: RestartableServer;
  let nats: RestartableServer;
  let natsMonitorPort: number;
  const nodes: Booted[] = [];
  const clients = new ClientProcesses();
  let objs: K8sObject[];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rtmpc-chart-boot-'));
    // The chart's defaults: bundled Redis and NATS, publish auth token with a generated key, NetworkPolicies.
    objs = renderChart([], ['origin.replicas=1', 'edge.autoscaling.enabled=false', 'edge.replicas=1']);
    natsMonitorPort = await freePort();
    [redis, nats] = await Promise.all([
      startBundled(objs, 'redis', dir, (port) => ['--port', String(port), '--bind', '127.0.0.1']),
      startBundled(objs, 'nats', dir, (port) => ['-a', '127.0.0.1', '-p', String(port), '-m', String(natsMonitorPort)]),
    ]);
    serviceAddresses.byService.set('rel-rtmp-cluster-redis:6379', `127.0.0.1:${redis.port}`);
    serviceAddresses.byService.set('rel-rtmp-cluster-nats:4222', `127.0.0.1:${nats.port}`);
  }, 60_000);

  afterAll(async () => {
    await clients.stopAll();
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGKILL');
    await Promise.all([redis?.stop(), nats?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the bundled Redis admits only the chart user, on the registry keys; NATS answers its rendered readiness probe', async () => {
    const password = Buffer.from(objs.find((o) => o.metadata.name === 'rel-rtmp-cluster-redis' && o.kind === 'Secret')!.data!.password!, 'base64').toString();
    const cli = (args: string[], auth?: string) =>
      execFileSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDISCLI_AUTH: auth ?? '' } }).trim();
    expect(cli(['ping'])).toContain('NOAUTH');
    expect(cli(['--user', 'rtmp-cluster', 'set', 'rtmpc:chart-test', '1'], password)).toBe('OK');
    expect(cli(['--user', 'rtmp-cluster', 'set', 'elsewhere', '1'], password)).toContain('NOPERM');
    expect(cli(['--user', 'rtmp-cluster', 'flushall'], password)).toContain('NOPERM');
    expect(cli(['--user', 'rtmp-cluster', 'ping'], 'wrong-password')).toMatch(/NOAUTH|WRONGPASS/);
    const nats = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'rel-rtmp-cluster-nats')!;
    const probe = nats.spec.template.spec.containers[0].readinessProbe.httpGet;
    expect((await fetch(`http://127.0.0.1:${natsMonitorPort}${probe.path}`)).status).toBe(200);
  });

  it('the bundled NATS gives each role only its subjects: only control sends node commands, only origins announce streams', async () => {
    const secret = objs.find((o) => o.kind === 'Secret' && o.metadata.name === 'rel-rtmp-cluster-nats')!;
    const as = (role: string) =>
      natsConnect({
        servers: `127.0.0.1:${nats.port}`,
        user: `rtmp-cluster-${role}`,
        pass: Buffer.from(secret.data![`${role}-password`]!, 'base64').toString(),
      });
    const [origin, edge, control] = await Promise.all([as('origin'), as('edge'), as('control')]);
    const conns: NatsConnection[] = [origin, edge, control];
    try {
      await expect(natsConnect({ servers: `127.0.0.1:${nats.port}`, user: 'rtmp-cluster-edge', pass: 'wrong' })).rejects.toThrow(/Authorization/i);
      // Node commands: the origin listens on its subject; the edge's attempt never arrives, the control's does.
      const commands: string[] = [];
      origin.subscribe('rtmpc.v1.node.origin-x.cmd', { callback: (_err, msg) => void commands.push(msg.string()) });
      await origin.flush();
      edge.publish('rtmpc.v1.node.origin-x.cmd', '{"cmd":"drain"}');
      await edge.flush();
      control.publish('rtmpc.v1.node.origin-x.cmd', '{"cmd":"stats"}');
      await control.flush();
      await origin.flush();
      expect(commands).toEqual(['{"cmd":"stats"}']);
      // Stream announcements: an edge listens; the origin's arrives, the edge's own forgery does not.
      const events: string[] = [];
      edge.subscribe('rtmpc.v1.stream.published.>', { callback: (_err, msg) => void events.push(msg.subject) });
      await edge.flush();
      edge.publish('rtmpc.v1.stream.published.live.forged', '{}');
      origin.publish('rtmpc.v1.stream.published.live.real', '{}');
      await Promise.all([edge.flush(), origin.flush()]);
      await edge.flush();
      expect(events).toEqual(['rtmpc.v1.stream.published.live.real']);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('origin, edge and control from the rendered manifests: publish to the ingest target, play through the edge', async () => {
    const byComponent = (kind: string, component: string) =>
      objs.find((o) => o.kind === kind && o.metadata.labels?.['app.kubernetes.io/component'] === component)!;
    const sts = byComponent('StatefulSet', 'origin');
    const edgeDep = byComponent('Deployment', 'edge');
    const controlDep = byComponent('Deployment', 'control');

    // Every event the nodes publish under their role users, as the control plane's user sees them.
    const natsSecret = objs.find((o) => o.kind === 'Secret' && o.metadata.name === 'rel-rtmp-cluster-nats')!;
    const watcher = await natsConnect({
      servers: `127.0.0.1:${nats.port}`,
      user: 'rtmp-cluster-control',
      pass: Buffer.from(natsSecret.data!['control-password']!, 'base64').toString(),
    });
    const seen: string[] = [];
    watcher.subscribe('rtmpc.v1.>', { callback: (_err, msg) => void seen.push(msg.subject) });
    await watcher.flush();
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
    // One cluster secret for all roles, or the control plane's signed commands would be refused.
    expect(origin.env.RTMPC_CLUSTER_SECRET.length).toBeGreaterThanOrEqual(16);
    expect([edge.env.RTMPC_CLUSTER_SECRET, control.env.RTMPC_CLUSTER_SECRET]).toEqual([origin.env.RTMPC_CLUSTER_SECRET, origin.env.RTMPC_CLUSTER_SECRET]);
    await Promise.all([probeReady(sts, origin), probeReady(edgeDep, edge), probeReady(controlDep, control)]);

    const flv = await makeTestFlv(undefined, { seconds: 8, width: 320, height: 240 });
    // Secure default: a publish without a key is refused.
    const anonymous = await clients.run('ffmpeg', ['-v', 'error', '-re', '-i', flv, '-t', '2', '-c', 'copy', '-f', 'flv',
      `rtmp://127.0.0.1:${origin.rtmpPort}/live/helm-test`], { timeoutMs: 20_000 });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/Server error: .*token/i);
    // The helm test pod's minting script, run as written with the rendered keys and the image's PATH command.
    const testPod = objs.find((o) => o.kind === 'Pod' && o.metadata.annotations?.['helm.sh/hook'] === 'test')!;
    const mint = testPod.spec.initContainers[0];
    const work = join(dir, 'work');
    const bin = join(dir, 'bin');
    mkdirSync(work);
    mkdirSync(bin);
    symlinkSync(resolve(REPO, 'packages/node/bin/rtmp-cluster.js'), join(bin, 'rtmp-cluster'));
    const keysRef = mint.env.find((e: { name: string }) => e.name === 'RTMPC_AUTH_KEYS').valueFrom.secretKeyRef;
    const keys = Buffer.from(objs.find((o) => o.kind === 'Secret' && o.metadata.name === keysRef.name)!.data![keysRef.key]!, 'base64').toString();
    const script = (mint.args as string[]).join('\n').split('/work/').join(`${work}/`);
    const minted = await clients.run(mint.command[0], [...mint.command.slice(1), script], {
      env: { PATH: `${bin}:${process.env.PATH}`, RTMPC_AUTH_KEYS: keys },
      timeoutMs: 15_000,
    });
    expect(minted.code, minted.stderr).toBe(0);
    const publishUrl = readFileSync(join(work, 'publish-url'), 'utf8').trim();
    expect(publishUrl).toMatch(/^rtmp:\/\/rel-rtmp-cluster-ingest:1935\/live\/helm-test\?token=k1\./);
    const playUrl = readFileSync(join(work, 'play-url'), 'utf8').trim();
    expect(playUrl).toBe('rtmp://rel-rtmp-cluster-edge:1935/live/helm-test');
    const publisher = ffmpegPublish(clients, flv, publishUrl.replace('rel-rtmp-cluster-ingest:1935', `127.0.0.1:${origin.rtmpPort}`), { loop: true });
    // Give the origin time to claim the stream, then play through the edge (which pulls from the origin).
    await waitUntil('the published stream in the origin metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${origin.httpPort}/metrics`)).text();
      return /rtmpc_streams(\{[^}]*\})? [1-9]/.test(text) ? true : undefined;
    }, 20_000, origin);
    const probe = await ffprobeStreams(clients, playUrl.replace('rel-rtmp-cluster-edge:1935', `127.0.0.1:${edge.rtmpPort}`), { seconds: 3 });
    expect(probe.result.stderr).toBe('');
    const video = probe.streams.find((s) => s.codec_type === 'video');
    const audio = probe.streams.find((s) => s.codec_type === 'audio');
    expect(video).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(Number(video!.nb_read_packets)).toBeGreaterThan(10);
    expect(audio?.codec_name).toBe('aac');
    expect(publisher.running()).toBe(true);
    // The control plane reaches both nodes over NATS with its own user (node commands and their replies).
    const token = Buffer.from(objs.find((o) => o.kind === 'Secret' && o.metadata.name === 'rel-rtmp-cluster-auth')!.data!['control-token']!, 'base64').toString();
    const sessions = await clients.run('node', [resolve(REPO, 'packages/control/bin/rtmpctl.js'), '--address', `127.0.0.1:${control.grpcPort}`, '--token', token, '--json', 'sessions'], { timeoutMs: 20_000 });
    expect(sessions.code, sessions.stderr).toBe(0);
    const nodesWithSessions = new Set((JSON.parse(sessions.stdout) as { sessions: Array<{ nodeId: string }> }).sessions.map((s) => s.nodeId));
    expect([...nodesWithSessions].sort()).toEqual([edge.name, origin.name].sort());
    await publisher.stop();

    // SIGTERM (what Kubernetes sends after preStop) drains and exits 0 within the rendered grace period.
    const grace = edgeDep.spec.template.spec.terminationGracePeriodSeconds as number;
    const exited = new Promise<number | null>((res) => edge.child.once('exit', (code) => res(code)));
    edge.child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), grace * 1000))]);
    expect(code).toBe(0);
    // What the origin and the edge announced passed the NATS server's per-role permissions.
    await watcher.flush();
    for (const subject of [`rtmpc.v1.node.${origin.name}.up`, `rtmpc.v1.node.${edge.name}.up`, 'rtmpc.v1.stream.published.live.helm-test',
      `rtmpc.v1.node.${edge.name}.draining`, `rtmpc.v1.node.${edge.name}.down`]) {
      expect(seen, subject).toContain(subject);
    }
    await watcher.close();
  }, 120_000);
});

/**
 * The control plane against a real cluster: redis-server and nats-server spawned on free ports, an origin
 * and two edges (createNode with the origin/edge roles, in-process), the control role node, ffmpeg as the
 * encoder, TestRtmpClient players (they show status codes and the ReconnectRequest), and the built rtmpctl.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CLUSTER_CONTROL_SERVICE } from '@rtmp-cluster/control';
import { service as healthService } from 'grpc-health-check';
import { loadConfig, type NodeHandle } from 'rtmp-cluster';
import { createControlNode, type ControlNodeHandle } from '../../packages/node/src/roles/controlRole.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRtmpctlBuilt, runRtmpctl, startRtmpctl, type RtmpctlResult } from '../../packages/control/test/support/rtmpctlProcess.js';
import { CLUSTER_SECRET, startClusterInfra, type ClusterInfra } from '../cluster/support/clusterInfra.js';
import { startConfiguredNode } from '../cluster/support/configuredNode.js';
import { metricValue } from '../cluster/support/nodeProcess.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { controlClient, eventually, grpcFailure, unary, watch, type Any } from './support/grpc.js';

const TOKEN = 'cluster-control-token';
const RELAY_TOKEN = 'cluster-control-relay';

describe('control plane on a real origin/edge cluster', () => {
  const procs = new ClientProcesses();
  const clients: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let origin: NodeHandle;
  let edge1: NodeHandle;
  let edge2: NodeHandle;
  let control: ControlNodeHandle;
  let address: string;
  // shared by the steps below, which run in order on one stream
  let c: ReturnType<typeof controlClient>;
  let events: Awaited<ReturnType<typeof watch>>;
  let p1: TestRtmpClient;
  let capable: TestRtmpClient;
  let p2: TestRtmpClient;
  let stream: Any;

  async function node(role: 'origin' | 'edge', id: string): Promise<NodeHandle> {
    const env = { RTMPC_RELAY_TOKEN: RELAY_TOKEN, RTMPC_LOG_LEVEL: process.env.CONTROL_LOG ? 'debug' : 'silent', RTMPC_DRAIN_TIMEOUT_MS: '3000' };
    return (await startConfiguredNode(role, id, infra.urls, env)).node;
  }

  function rtmpctl(args: string[]): Promise<RtmpctlResult> {
    return runRtmpctl(['--address', address, '--token', TOKEN, ...args]);
  }

  async function player(n: NodeHandle, name: string, capsEx?: number): Promise<TestRtmpClient> {
    const p = await TestRtmpClient.connect(n.rtmpUrl('/live'), capsEx !== undefined ? { capsEx } : {});
    clients.push(p);
    await p.play(name);
    await p.waitForStatus('NetStream.Play.Start', 15_000);
    await p.until(() => p.mediaCount.video > 5, 10_000, 'frames');
    return p;
  }

  beforeAll(async () => {
    assertRtmpctlBuilt();
    infra = await startClusterInfra();
    origin = await node('origin', 'origin-1');
    edge1 = await node('edge', 'edge-1');
    edge2 = await node('edge', 'edge-2');
    const grpcPort = await freePort();
    control = createControlNode(
      loadConfig({
        env: {
          RTMPC_ROLE: 'control',
          RTMPC_NODE_ID: 'control-1',
          RTMPC_CONTROL_TOKEN: TOKEN,
          RTMPC_GRPC_HOST: '127.0.0.1',
          RTMPC_GRPC_PORT: String(grpcPort),
          RTMPC_HTTP_HOST: '127.0.0.1',
          RTMPC_HTTP_PORT: String(await freePort()),
          RTMPC_REDIS_URL: infra.redis.url,
          RTMPC_NATS_SERVERS: infra.nats.url,
          RTMPC_CLUSTER_SECRET: CLUSTER_SECRET,
          RTMPC_LOG_LEVEL: 'silent',
        },
      }),
    );
    await control.start();
    address = control.grpcAddress();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await procs.stopAll();
    for (const n of [edge1, edge2, origin]) await n?.stop().catch(() => undefined);
    await control?.stop();
    await infra?.stop();
  });

  it('health is SERVING, reflection lists the service, a call without a token is UNAUTHENTICATED, /readyz is 200', async () => {
    const HealthClient = grpc.makeClientConstructor(healthService, 'grpc.health.v1.Health');
    const hc = new HealthClient(address, grpc.credentials.createInsecure()) as Any;
    const status = await eventually('SERVING', () =>
      new Promise<string | undefined>((resolve) => hc.check({ service: CLUSTER_CONTROL_SERVICE }, (err: Any, res: Any) => resolve(err ? undefined : res.status === 'SERVING' ? res.status : undefined))),
    );
    expect(status).toBe('SERVING');
    hc.close();

    const protoFile = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto');
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile, { keepCase: true, defaults: true, oneofs: true })) as Any;
    const rc = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
    const services = await new Promise<string[]>((resolve, reject) => {
      const call = rc.ServerReflectionInfo();
      call.on('data', (res: Any) => {
        resolve(res.list_services_response.service.map((s: Any) => s.name));
        call.end();
      });
      call.on('error', reject);
      call.write({ host: '', list_services: '' });
    });
    rc.close();
    expect(services).toContain(CLUSTER_CONTROL_SERVICE);

    const anon = controlClient(address);
    expect((await grpcFailure(unary(anon, 'ListStreams'))).code).toBe(grpc.status.UNAUTHENTICATED);
    anon.close();
    expect((await fetch(control.httpUrl('/readyz'))).status).toBe(200);
    for (const n of [origin, edge1, edge2]) expect((await fetch(n.httpUrl('/readyz'))).status).toBe(200);
  });

  it('stream published with ffmpeg: ListStreams shows origin and viewers per edge, ListSessions, rtmpctl', async () => {
    c = controlClient(address, TOKEN);
    events = await watch(c);
    ffmpegPublish(procs, infra.flv, origin.rtmpUrl('/live/cam1'), { loop: true, timeoutMs: 120_000 });
    p1 = await player(edge1, 'cam1');
    capable = await player(edge1, 'cam1', 1);
    p2 = await player(edge2, 'cam1');

    // ListStreams: origin, codecs from the claim, viewers per edge from the nodes' stats.
    stream = await eventually('stream with viewers on both edges', async () => {
      const r = await unary(c, 'ListStreams');
      const s = r.streams.find((x: Any) => x.key === 'live/cam1');
      return s && s.totalViewers === 3 ? s : undefined;
    }, 15_000);
    expect(stream).toMatchObject({ originNodeId: 'origin-1', originAddress: origin.config.advertiseAddress, originViewers: 0, totalViewers: 3 });
    expect(stream.edges.map((e: Any) => [e.nodeId, e.viewers]).sort()).toEqual([
      ['edge-1', 2],
      ['edge-2', 1],
    ]);
    expect(stream.publisher.sessionId).toMatch(/^origin-1-/);

    // Sessions: players on the edges, the edges' relay pulls on both sides, the publisher on the origin.
    const sessions = (await unary(c, 'ListSessions', { stream: 'live/cam1' })).sessions as Any[];
    const byNode = (id: string, kind: string): Any[] => sessions.filter((s) => s.nodeId === id && s.kind === kind);
    expect(byNode('edge-1', 'SESSION_KIND_PLAYER')).toHaveLength(2);
    expect(byNode('edge-2', 'SESSION_KIND_PLAYER')).toHaveLength(1);
    expect(byNode('edge-1', 'SESSION_KIND_RELAY')).toHaveLength(1);
    expect(byNode('origin-1', 'SESSION_KIND_RELAY')).toHaveLength(2);
    expect(byNode('origin-1', 'SESSION_KIND_PUBLISHER')).toHaveLength(1);
    for (const s of sessions) expect(s.id.startsWith(`${s.nodeId}-`)).toBe(true);

    // Each edge counted the relay pull it opened to the origin (and none lost, so no re-pull yet).
    for (const e of [edge1, edge2]) {
      const text = await (await fetch(e.httpUrl('/metrics'))).text();
      expect(metricValue(text, 'rtmpc_relay_pulls_total'), text).toBeGreaterThan(0);
      expect(metricValue(text, 'rtmpc_relay_repulls_total') ?? 0).toBe(0);
    }
    const originMetrics = await (await fetch(origin.httpUrl('/metrics'))).text();
    expect(metricValue(originMetrics, 'rtmpc_relay_pulls_total')).toBe(0);

    // rtmpctl against the same cluster.
    const nodes = await rtmpctl(['nodes']);
    expect(nodes.code, nodes.stderr).toBe(0);
    for (const id of ['origin-1', 'edge-1', 'edge-2']) expect(nodes.stdout).toMatch(new RegExp(`^${id}\\s+(origin|edge)\\s+ready\\s`, 'm'));
    const streams = await rtmpctl(['streams']);
    expect(streams.code, streams.stderr).toBe(0);
    expect(streams.stdout).toMatch(/^live\/cam1\s+origin-1\s+\d+\s/m);
    const one = await rtmpctl(['stream', 'live/cam1']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('Origin:    origin-1');
    expect(one.stdout).toMatch(/^Viewers:\s+3 \(origin 0\)$/m);
    expect(one.stdout).toMatch(/^edge-1\s+2$/m);
    expect(one.stdout).toMatch(/^edge-2\s+1$/m);
    const sess = await rtmpctl(['sessions', '--stream', 'live/cam1', '--kind', 'player']);
    expect(sess.code, sess.stderr).toBe(0);
    expect(sess.stdout.trim().split('\n').slice(1)).toHaveLength(3);
    const json = await rtmpctl(['--json', 'node', 'edge-2']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'edge-2', role: 'NODE_ROLE_EDGE', state: 'NODE_STATE_READY' });

  });

  it('GetStream shows the codecs the origin recorded in its claim (needs the origin to write PublishInfo)', async () => {
    const withCodecs = await eventually('codecs in the claim', async () => {
      const s = await unary(c, 'GetStream', { key: 'live/cam1' });
      return s.video?.codec ? s : undefined;
    }, 10_000);
    expect(withCodecs.video).toMatchObject({ codec: 'avc', width: 320, height: 240 });
    expect(withCodecs.audio.codec).toBe('aac');
  });

  it('DrainNode on an edge, kicks, KickPublisher cluster-wide, rtmpctl drain, WatchEvents in order, rtmpctl watch', async () => {
    // DrainNode on edge-1: capable client asked to reconnect, new connections refused, the rest closed at
    // the deadline, the node leaves the registry. edge-2 keeps serving.
    const reconnect = new Promise<Any>((resolve) => capable.session.once('reconnectRequest', resolve));
    const t0 = performance.now();
    const drained = await unary(c, 'DrainNode', { nodeId: 'edge-1', deadlineMs: 2000 });
    expect(drained).toMatchObject({ nodeId: 'edge-1', state: 'NODE_STATE_DRAINING', deadlineMs: 2000, reconnectRequested: 1, toClose: 1 });
    await reconnect;
    expect((await fetch(edge1.httpUrl('/readyz'))).status).toBe(503);
    expect((await unary(c, 'GetNode', { id: 'edge-1' })).state).toBe('NODE_STATE_DRAINING');
    await expect(TestRtmpClient.connect(edge1.rtmpUrl('/live'), { timeoutMs: 1000 })).rejects.toThrow();
    const served = p1.mediaCount.video;
    await p1.until(() => p1.mediaCount.video > served + 5, 3000, 'still served while draining');
    await p1.until(() => p1.closed, 5000, 'closed at the deadline');
    await capable.until(() => capable.closed, 5000, 'capable client closed at the deadline');
    expect(performance.now() - t0).toBeGreaterThan(1800);
    await eventually('edge-1 left the registry', async () => {
      const r = await unary(c, 'ListNodes');
      return r.nodes.every((n: Any) => n.id !== 'edge-1') ? true : undefined;
    });

    // rtmpctl kick session: the player on edge-2 is closed.
    const p2Session = (await unary(c, 'ListSessions', { nodeId: 'edge-2', kind: 'SESSION_KIND_PLAYER' })).sessions[0];
    const kick = await rtmpctl(['kick', 'session', p2Session.id]);
    expect(kick.code, kick.stderr).toBe(0);
    expect(kick.stdout.trim()).toBe(`kicked session ${p2Session.id} on node edge-2`);
    await p2.until(() => p2.closed, 5000, 'kicked player closed');

    // KickPublisher ends the publish cluster-wide: a player on edge-2 gets UnpublishNotify.
    const p3 = await player(edge2, 'cam1');
    const kp = await unary(c, 'KickPublisher', { stream: 'live/cam1' });
    expect(kp).toMatchObject({ stream: 'live/cam1', originNodeId: 'origin-1', kicked: true, sessionId: stream.publisher.sessionId });
    // Edges hold a stream for its players for 10 s after the upstream ends (a publisher may reappear on
    // another origin), so UnpublishNotify arrives after that hold.
    await p3.waitForStatus('NetStream.Play.UnpublishNotify', 20_000);
    await eventually('stream gone', async () => ((await unary(c, 'ListStreams')).streams.length === 0 ? true : undefined));
    const again = await rtmpctl(['kick', 'publisher', 'live/cam1']);
    expect(again.code).toBe(2);

    // rtmpctl drain of edge-2.
    const dr = await rtmpctl(['drain', 'edge-2', '--deadline', '500']);
    expect(dr.code, dr.stderr).toBe(0);
    expect(dr.stdout.trim()).toMatch(/^node edge-2 draining: deadline 500 ms, 0 sessions asked to reconnect, 1 to close at the deadline; then its process exits/);
    await p3.until(() => p3.closed, 5000, 'edge-2 player closed at the deadline');

    // WatchEvents saw it all, in order.
    await events.until((e) => e.filter((x) => x.event === 'nodeDown').length >= 2, 10_000, 'both edges down');
    const seq = events.events.map((e) => `${e.event}:${e.nodeId}`);
    const order = ['published:origin-1', 'nodeDraining:edge-1', 'nodeDown:edge-1', 'sessionKicked:edge-2', 'unpublished:origin-1', 'nodeDraining:edge-2', 'nodeDown:edge-2'];
    const positions = order.map((o) => seq.indexOf(o));
    expect(positions.every((p) => p >= 0), seq.join(' ')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The operator's KickPublisher reaches watchers as an unpublish for reason 'kicked'.
    expect(events.events.find((e) => e.event === 'unpublished')?.unpublished).toMatchObject({ key: 'live/cam1', originNodeId: 'origin-1', reason: 'kicked' });

    // rtmpctl watch prints events as lines.
    const w = startRtmpctl(['--address', address, '--token', TOKEN, 'watch', '--count', '1']);
    await w.watching;
    await procs.stopAll();
    ffmpegPublish(procs, infra.flv, origin.rtmpUrl('/live/cam2'), { loop: true, timeoutMs: 60_000 });
    const watched = await w.done;
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/published\s+live\/cam2 origin=origin-1/);
    events.cancel();
    c.close();
  }, 90_000);

  it('drain --stay keeps an origin registered as draining past its node TTL; undrain returns it to service and it takes publishes again', async () => {
    const c = controlClient(address, TOKEN);
    try {
      await eventually('live/cam2 published', async () => ((await unary(c, 'ListStreams')).streams.some((x: Any) => x.key === 'live/cam2') ? true : undefined));
      const dr = await rtmpctl(['drain', 'origin-1', '--stay', '--deadline', '500']);
      expect(dr.code, dr.stderr).toBe(0);
      expect(dr.stdout).toContain("then it stays idle until 'rtmpctl undrain origin-1'");
      expect((await fetch(origin.httpUrl('/readyz'))).status).toBe(503);
      // The publisher is closed at the deadline and its claim released.
      await eventually('live/cam2 gone', async () => ((await unary(c, 'ListStreams')).streams.length === 0 ? true : undefined));
      // Still registered (its heartbeat goes on) well past the node TTL, as draining, and live.
      await new Promise((r) => setTimeout(r, 6500));
      expect((await unary(c, 'GetNode', { id: 'origin-1' })).state).toBe('NODE_STATE_DRAINING');
      expect((await fetch(origin.httpUrl('/healthz'))).status).toBe(200);
      await expect(TestRtmpClient.connect(origin.rtmpUrl('/live'), { timeoutMs: 1000 })).rejects.toThrow();

      const un = await rtmpctl(['undrain', 'origin-1']);
      expect(un.code, un.stderr).toBe(0);
      expect(un.stdout.trim()).toBe('node origin-1 back in service');
      expect((await unary(c, 'GetNode', { id: 'origin-1' })).state).toBe('NODE_STATE_READY');
      expect((await fetch(origin.httpUrl('/readyz'))).status).toBe(200);
      ffmpegPublish(procs, infra.flv, origin.rtmpUrl('/live/cam3'), { loop: true, timeoutMs: 60_000 });
      await eventually('live/cam3 claimed by origin-1', async () => {
        const streams = (await unary(c, 'ListStreams')).streams as Any[];
        return streams.some((x) => x.key === 'live/cam3' && x.originNodeId === 'origin-1') ? true : undefined;
      });
      const again = await rtmpctl(['undrain', 'origin-1']);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain('node is not draining');
    } finally {
      await procs.stopAll();
      c.close();
    }
  }, 60_000);
});

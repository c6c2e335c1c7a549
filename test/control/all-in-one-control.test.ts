/**
 * An all-in-one node with RTMPC_CONTROL_TOKEN runs the control server over its in-memory registry and bus:
 * the node command handler answers exactly the control contract (list-sessions, stats, kick-session,
 * kick-publisher, drain), and the gRPC API sees the node, its ffmpeg-published stream with codecs, its
 * sessions; kicks and the drain act on real RTMP clients.
 */
import * as grpc from '@grpc/grpc-js';
import {
  parseDrainReply,
  parseKickPublisherReply,
  parseKickSessionReply,
  parseListSessionsReply,
  parseStatsReply,
} from '@rtmp-cluster/control';
import { createNode, defaultConfig, type NodeHandle } from 'rtmp-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { controlClient, eventually, grpcFailure, unary, watch, type Any } from './support/grpc.js';

const TOKEN = 'aio-control-token';

describe('all-in-one node with the embedded control server', () => {
  const procs = new ClientProcesses();
  const clients: TestRtmpClient[] = [];
  let node: NodeHandle;
  let flv: string;
  let address: string;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 25, gop: 25 });
    node = createNode({
      ...defaultConfig('aio-1'),
      rtmpHost: '127.0.0.1',
      rtmpPort: 0,
      httpHost: '127.0.0.1',
      httpPort: 0,
      webHost: '127.0.0.1',
      webPort: 0,
      grpcHost: '127.0.0.1',
      grpcPort: 0,
      advertiseAddress: '127.0.0.1:1935',
      controlToken: TOKEN,
      logLevel: 'silent',
      drainTimeoutMs: 1500,
    });
    await node.start();
    address = `127.0.0.1:${node.ops.controlPort}`;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await procs.stopAll();
    await node?.stop();
  });

  async function player(name: string, capsEx?: number): Promise<TestRtmpClient> {
    const p = await TestRtmpClient.connect(node.rtmpUrl('/live'), capsEx !== undefined ? { capsEx } : {});
    clients.push(p);
    await p.play(name);
    await p.waitForStatus('NetStream.Play.Start', 8000);
    return p;
  }

  it('a call without the token is UNAUTHENTICATED; with it the node is listed', async () => {
    const anon = controlClient(address);
    const err = await grpcFailure(unary(anon, 'ListNodes'));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    anon.close();
    const c = controlClient(address, TOKEN);
    const res = await eventually('node registered', async () => {
      const r = await unary(c, 'ListNodes');
      return r.nodes.length === 1 ? r : undefined;
    });
    expect(res.nodes[0]).toMatchObject({ id: 'aio-1', role: 'NODE_ROLE_ALL_IN_ONE', state: 'NODE_STATE_READY', address: '127.0.0.1:1935' });
    c.close();
  });

  it('ffmpeg stream: ListStreams shows origin and codecs, stats/list-sessions replies follow the contract', async () => {
    const c = controlClient(address, TOKEN);
    const events = await watch(c);
    ffmpegPublish(procs, flv, node.rtmpUrl('/live/cam1'), { loop: true, timeoutMs: 60_000 });
    const p1 = await player('cam1');
    const p2 = await player('cam1');
    const stream = await eventually('stream with codecs', async () => {
      const r = await unary(c, 'ListStreams');
      const s = r.streams.find((x: Any) => x.key === 'live/cam1');
      return s?.video?.codec && s.audio?.codec && s.totalViewers === 2 ? s : undefined;
    });
    expect(stream).toMatchObject({ key: 'live/cam1', app: 'live', name: 'cam1', originNodeId: 'aio-1', originViewers: 2, totalViewers: 2 });
    expect(stream.video).toMatchObject({ codec: 'avc', width: 320, height: 240 });
    expect(stream.audio.codec).toBe('aac');
    expect(stream.publisher.sessionId).toMatch(/^aio-1-/);
    await events.until((e) => e.some((x) => x.event === 'published' && x.published.key === 'live/cam1'), 5000, 'published event');

    // The handler's replies pass the control package's validators unchanged.
    const st = await eventually('measured ingress', async () => {
      const stats = parseStatsReply('aio-1', await node.ops.commands.handle({ cmd: 'stats' }));
      const s = stats.streams.find((x) => x.key === 'live/cam1');
      return s && s.ingressBps > 0 ? s : undefined;
    });
    expect(st.viewers).toBe(2);
    expect(st.ingressBps).toBeGreaterThan(10_000);
    expect(st.publisherSessionId).toBe(stream.publisher.sessionId);
    const sessions = parseListSessionsReply('aio-1', await node.ops.commands.handle({ cmd: 'list-sessions', key: 'live/cam1' })).sessions;
    expect(sessions.filter((s) => s.kind === 'player')).toHaveLength(2);
    const pub = sessions.find((s) => s.kind === 'publisher')!;
    expect(pub).toMatchObject({ id: stream.publisher.sessionId, app: 'live', name: 'cam1' });
    expect(pub.bytesIn).toBeGreaterThan(10_000);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(3);
    for (const s of sessions) expect(s.id.startsWith('aio-1-')).toBe(true);
    const none = parseListSessionsReply('aio-1', await node.ops.commands.handle({ cmd: 'list-sessions', key: 'live/nobody' }));
    expect(none.sessions).toEqual([]);
    await expect(node.ops.commands.handle({ cmd: 'list-sessions', key: 'noslash' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    // ListSessions over gRPC: the same three sessions.
    const listed = await unary(c, 'ListSessions', { stream: 'live/cam1' });
    expect(listed.sessions.map((s: Any) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());

    // kick-session: one player closed, the other keeps playing.
    const playerSession = sessions.find((s) => s.kind === 'player' && s.remoteAddress.endsWith(`:${p1.localPort}`))!;
    const kicked = await unary(c, 'KickSession', { sessionId: playerSession.id });
    expect(kicked).toMatchObject({ sessionId: playerSession.id, nodeId: 'aio-1' });
    await p1.until(() => p1.closed, 5000, 'kicked player closed');
    const before = p2.mediaCount.video;
    await p2.until(() => p2.mediaCount.video > before + 10, 5000, 'other player continues');
    expect(parseKickSessionReply('aio-1', await node.ops.commands.handle({ cmd: 'kick-session', sessionId: playerSession.id }))).toEqual({ kicked: false });
    const missing = await grpcFailure(unary(c, 'KickSession', { sessionId: 'aio-1-nope' }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    await events.until((e) => e.some((x) => x.event === 'sessionKicked' && x.sessionKicked.sessionId === playerSession.id), 5000, 'kick event');

    // kick-publisher: the player is told the stream ended (UnpublishNotify) and stays connected.
    const kp = await unary(c, 'KickPublisher', { stream: 'live/cam1' });
    expect(kp).toMatchObject({ stream: 'live/cam1', originNodeId: 'aio-1', kicked: true, sessionId: stream.publisher.sessionId });
    await p2.waitForStatus('NetStream.Play.UnpublishNotify', 5000);
    expect(p2.closed).toBe(false);
    await events.until((e) => e.some((x) => x.event === 'unpublished' && x.unpublished.key === 'live/cam1'), 5000, 'unpublished event');
    expect(parseKickPublisherReply('aio-1', await node.ops.commands.handle({ cmd: 'kick-publisher', key: 'live/nobody' }))).toEqual({ kicked: false });
    events.cancel();
    c.close();
    await procs.stopAll();
  });

  it('drain: ReconnectRequest to the capable client, new connections refused, the rest closed at the deadline, node leaves', async () => {
    const c = controlClient(address, TOKEN);
    const events = await watch(c);
    const capable = await TestRtmpClient.connect(node.rtmpUrl('/live'), { capsEx: 1 });
    clients.push(capable);
    const reconnect = new Promise<Any>((resolve) => capable.session.once('reconnectRequest', resolve));
    const legacy = await TestRtmpClient.connect(node.rtmpUrl('/live'));
    clients.push(legacy);
    await legacy.play('later');
    const t0 = performance.now();
    const reply = await unary(c, 'DrainNode', { nodeId: 'aio-1', deadlineMs: 1200 });
    expect(reply).toMatchObject({ nodeId: 'aio-1', state: 'NODE_STATE_DRAINING', deadlineMs: 1200, reconnectRequested: 1 });
    expect(reply.toClose).toBeGreaterThanOrEqual(1);
    const req = await reconnect;
    expect(req).toBeDefined();
    expect(capable.closed).toBe(false);
    expect((await fetch(node.httpUrl('/readyz'))).status).toBe(503);
    await expect(TestRtmpClient.connect(node.rtmpUrl('/live'), { timeoutMs: 1000 })).rejects.toThrow();
    // A repeated drain answers the same shape.
    const again = parseDrainReply('aio-1', await node.ops.commands.handle({ cmd: 'drain' }));
    expect(again).toMatchObject({ state: 'draining', deadlineMs: 1200, reconnectRequested: 1 });
    await legacy.until(() => legacy.closed, 5000, 'legacy client closed at the deadline');
    await capable.until(() => capable.closed, 5000, 'capable client closed at the deadline');
    expect(performance.now() - t0).toBeGreaterThan(1100);
    await node.drained();
    await events.until((e) => e.some((x) => x.event === 'nodeDown'), 5000, 'node.down');
    const kinds = events.events.map((e) => e.event).filter((k) => k === 'nodeDraining' || k === 'nodeDown');
    expect(kinds).toEqual(['nodeDraining', 'nodeDown']);
    expect((await unary(c, 'ListNodes')).nodes).toEqual([]);
    events.cancel();
    c.close();
  });
});

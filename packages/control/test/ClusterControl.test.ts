import * as grpc from '@grpc/grpc-js';
import type { ControlClient } from '@rtmp-cluster/control';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlCluster, failureCode, TOKEN, unary, waitFor } from './support/controlCluster.js';

// Output shapes, loosely typed: the tests check the values the API returns.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

let cluster: ControlCluster;
let client: ControlClient;

beforeAll(async () => {
  cluster = await ControlCluster.start({ commandTimeoutMs: 800 });
  client = cluster.client();
});
afterAll(async () => {
  await cluster?.stop();
});
beforeEach(async () => {
  await cluster.reset();
});

describe('nodes', () => {
  it('ListNodes and GetNode reflect the registered nodes', async () => {
    const startedAt = Date.now() - 3_600_000;
    await cluster.addNode('origin-1', 'origin', {
      address: 'origin-1.origins:1935',
      version: '1.2.3',
      startedAt,
      load: { connections: 7, streams: 2, ingressBps: 5_000_000, egressBps: 12_000_000 },
    });
    await cluster.addNode('edge-1', 'edge', { state: 'draining' });

    const res: Any = await unary(client, 'ListNodes', {});
    expect(res.nodes.map((n: Any) => n.id)).toEqual(['edge-1', 'origin-1']);
    const origin = res.nodes[1];
    expect(origin).toMatchObject({
      id: 'origin-1',
      role: 'NODE_ROLE_ORIGIN',
      address: 'origin-1.origins:1935',
      version: '1.2.3',
      state: 'NODE_STATE_READY',
      startedAtMs: startedAt,
      connections: 7,
      streams: 2,
      ingressBps: 5_000_000,
      egressBps: 12_000_000,
    });
    expect(origin.uptimeMs).toBeGreaterThanOrEqual(3_600_000);
    expect(origin.uptimeMs).toBeLessThan(3_600_000 + 30_000);
    expect(res.nodes[0]).toMatchObject({ role: 'NODE_ROLE_EDGE', state: 'NODE_STATE_DRAINING' });

    const edgesOnly: Any = await unary(client, 'ListNodes', { role: 'NODE_ROLE_EDGE' });
    expect(edgesOnly.nodes.map((n: Any) => n.id)).toEqual(['edge-1']);

    const one: Any = await unary(client, 'GetNode', { id: 'origin-1' });
    expect(one).toMatchObject({ id: 'origin-1', version: '1.2.3', connections: 7 });
    expect(one.lastSeenMs).toBeGreaterThan(Date.now() - 30_000);

    const missing = await failureCode(unary(client, 'GetNode', { id: 'nope' }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.details).toContain('nope');
  });

  it('a removed node disappears from ListNodes', async () => {
    await cluster.addNode('edge-9', 'edge');
    expect(((await unary(client, 'ListNodes', {})) as Any).nodes).toHaveLength(1);
    await cluster.registry.removeNode('edge-9');
    expect(((await unary(client, 'ListNodes', {})) as Any).nodes).toHaveLength(0);
  });
});

describe('streams', () => {
  it('ListStreams and GetStream combine registry claims with node stats', async () => {
    const origin = await (await cluster.addNode('origin-1', 'origin', { address: 'origin-1.origins:1935' })).serve();
    const edgeA = await (await cluster.addNode('edge-a', 'edge')).serve();
    const edgeB = await (await cluster.addNode('edge-b', 'edge')).serve();
    const epoch = await origin.claim('live/cam1', {
      videoCodec: 'avc',
      audioCodec: 'aac',
      width: 1280,
      height: 720,
      frameRate: 30,
      audioSampleRate: 44100,
      audioChannels: 2,
      publisherAddress: '203.0.113.7:51234',
    });
    await origin.claim('live/cam2', { videoCodec: 'hevc' });
    origin.addPlayers('live/cam1', 1);
    edgeA.addPlayers('live/cam1', 3);
    edgeB.addPlayers('live/cam1', 2);
    edgeB.addPlayers('live/cam2', 4);

    const list: Any = await unary(client, 'ListStreams', {});
    expect(list.unreachableNodes).toEqual([]);
    expect(list.streams.map((s: Any) => s.key)).toEqual(['live/cam1', 'live/cam2']);
    const cam1 = list.streams[0];
    expect(cam1).toMatchObject({
      key: 'live/cam1',
      app: 'live',
      name: 'cam1',
      originNodeId: 'origin-1',
      originAddress: 'origin-1.origins:1935',
      epoch,
      video: { codec: 'avc', width: 1280, height: 720, frameRate: 30 },
      audio: { codec: 'aac', sampleRate: 44100, channels: 2 },
      ingressBps: 2_500_000,
      originViewers: 1,
      edges: [
        { nodeId: 'edge-a', viewers: 3 },
        { nodeId: 'edge-b', viewers: 2 },
      ],
      totalViewers: 6,
    });
    expect(cam1.publisher).toMatchObject({ remoteAddress: '203.0.113.7:51234', sessionId: 'origin-1-pub-live/cam1' });
    expect(cam1.publisher.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(cam1.publisher.uptimeMs).toBeLessThan(30_000);
    expect(list.streams[1]).toMatchObject({ video: { codec: 'hevc' }, audio: null, edges: [{ nodeId: 'edge-b', viewers: 4 }], totalViewers: 4 });

    const one: Any = await unary(client, 'GetStream', { key: 'live/cam1' });
    expect(one).toMatchObject({ key: 'live/cam1', epoch, totalViewers: 6, originViewers: 1 });

    const filtered: Any = await unary(client, 'ListStreams', { app: 'other' });
    expect(filtered.streams).toEqual([]);

    expect((await failureCode(unary(client, 'GetStream', { key: 'live/none' }))).code).toBe(grpc.status.NOT_FOUND);
    expect((await failureCode(unary(client, 'GetStream', { key: 'no-slash' }))).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('a released claim is no longer listed', async () => {
    const origin = await (await cluster.addNode('origin-1', 'origin')).serve();
    const epoch = await origin.claim('live/gone');
    expect(((await unary(client, 'ListStreams', {})) as Any).streams).toHaveLength(1);
    await origin.registry.releaseStream('live/gone', epoch);
    expect(((await unary(client, 'ListStreams', {})) as Any).streams).toHaveLength(0);
    expect((await failureCode(unary(client, 'GetStream', { key: 'live/gone' }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('a node that does not answer is reported, the others still count', async () => {
    const origin = await (await cluster.addNode('origin-1', 'origin')).serve();
    await cluster.addNode('edge-hung', 'edge'); // registered, never serves commands
    const edge = await (await cluster.addNode('edge-ok', 'edge')).serve();
    await origin.claim('live/x');
    edge.addPlayers('live/x', 2);
    const s: Any = await unary(client, 'GetStream', { key: 'live/x' });
    expect(s.unreachableNodes).toEqual(['edge-hung']);
    expect(s.edges).toEqual([{ nodeId: 'edge-ok', viewers: 2 }]);
    expect(s.totalViewers).toBe(2);
  });

  it('a node reply that breaks the contract is an INTERNAL error naming the node', async () => {
    const origin = await (await cluster.addNode('origin-1', 'origin')).serve();
    await origin.claim('live/bad');
    origin.rawReply = { streams: [{ key: 'live/bad', viewers: 'many' }] };
    const err = await failureCode(unary(client, 'GetStream', { key: 'live/bad' }));
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toContain('origin-1');
    expect(err.details).toContain('viewers');
  });
});

describe('sessions', () => {
  it('ListSessions gathers sessions from every node and filters by node, stream and kind', async () => {
    const origin = await (await cluster.addNode('origin-1', 'origin')).serve();
    const edge = await (await cluster.addNode('edge-1', 'edge')).serve();
    await origin.claim('live/a', { publisherAddress: '203.0.113.1:1000' });
    await origin.claim('live/b');
    edge.addPlayers('live/a', 2);
    origin.addPlayers('live/b', 1);

    const all: Any = await unary(client, 'ListSessions', {});
    expect(all.sessions).toHaveLength(5);
    expect(new Set(all.sessions.map((s: Any) => s.nodeId))).toEqual(new Set(['origin-1', 'edge-1']));
    const pub = all.sessions.find((s: Any) => s.id === 'origin-1-pub-live/a');
    expect(pub).toMatchObject({
      nodeId: 'origin-1',
      kind: 'SESSION_KIND_PUBLISHER',
      remoteAddress: '203.0.113.1:1000',
      app: 'live',
      name: 'a',
      bytesIn: 1_000_000,
      bytesOut: 4_000,
      rttMs: 0,
    });
    const player = all.sessions.find((s: Any) => s.nodeId === 'edge-1');
    expect(player).toMatchObject({ kind: 'SESSION_KIND_PLAYER', rttMs: 12, bytesOut: 900_000 });

    const onEdge: Any = await unary(client, 'ListSessions', { nodeId: 'edge-1' });
    expect(onEdge.sessions.map((s: Any) => s.nodeId)).toEqual(['edge-1', 'edge-1']);
    // The edge was not asked when only the origin was named.
    const askedEdge = edge.received.length;
    await unary(client, 'ListSessions', { nodeId: 'origin-1' });
    expect(edge.received.length).toBe(askedEdge);

    const streamA: Any = await unary(client, 'ListSessions', { stream: 'live/a' });
    expect(streamA.sessions.map((s: Any) => s.kind).sort()).toEqual(['SESSION_KIND_PLAYER', 'SESSION_KIND_PLAYER', 'SESSION_KIND_PUBLISHER']);
    expect(origin.received.at(-1)).toEqual({ cmd: 'list-sessions', key: 'live/a' });

    const publishers: Any = await unary(client, 'ListSessions', { kind: 'SESSION_KIND_PUBLISHER' });
    expect(publishers.sessions.map((s: Any) => s.id).sort()).toEqual(['origin-1-pub-live/a', 'origin-1-pub-live/b']);

    expect((await failureCode(unary(client, 'ListSessions', { nodeId: 'ghost' }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('KickSession finds the node holding the session and closes it there', async () => {
    const origin = await (await cluster.addNode('origin-1', 'origin')).serve();
    const edge = await (await cluster.addNode('edge-1', 'edge')).serve();
    edge.addPlayers('live/a', 2);
    const victim = edge.sessions[1]!.id;

    const res: Any = await unary(client, 'KickSession', { sessionId: victim });
    expect(res).toEqual({ sessionId: victim, nodeId: 'edge-1' });
    expect(edge.sessions.map((s) => s.id)).not.toContain(victim);
    expect(edge.received).toContainEqual({ cmd: 'kick-session', sessionId: victim, reason: 'kicked by operator' });
    expect(origin.received.some((c) => c.cmd === 'kick-session')).toBe(true);

    const again = await failureCode(unary(client, 'KickSession', { sessionId: victim }));
    expect(again.code).toBe(grpc.status.NOT_FOUND);
    expect((await failureCode(unary(client, 'KickSession', { sessionId: '' }))).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('a node error code travels back as the matching gRPC status', async () => {
    const edge = await (await cluster.addNode('edge-1', 'edge')).serve();
    edge.failWith = 'INVALID_ARGUMENT';
    expect((await failureCode(unary(client, 'ListSessions', { nodeId: 'edge-1' }))).code).toBe(grpc.status.INVALID_ARGUMENT);
    edge.failWith = 'DISK_ON_FIRE';
    const err = await failureCode(unary(client, 'ListSessions', { nodeId: 'edge-1' }));
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toContain('fake failure DISK_ON_FIRE');
  });

  it('a named node that does not serve commands is UNAVAILABLE', async () => {
    await cluster.addNode('edge-hung', 'edge');
    expect((await failureCode(unary(client, 'ListSessions', { nodeId: 'edge-hung' }))).code).toBe(grpc.status.UNAVAILABLE);
    expect((await failureCode(unary(client, 'DrainNode', { nodeId: 'edge-hung' }))).code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('kick publisher and drain', () => {
  it('KickPublisher sends the command to the owning origin only and returns its reply', async () => {
    const owner = await (await cluster.addNode('origin-1', 'origin')).serve();
    const other = await (await cluster.addNode('origin-2', 'origin')).serve();
    const edge = await (await cluster.addNode('edge-1', 'edge')).serve();
    const epoch = await owner.claim('live/cam1', {}, 'pub-77');
    await other.claim('live/cam2');

    const res: Any = await unary(client, 'KickPublisher', { stream: 'live/cam1' });
    expect(res).toEqual({ stream: 'live/cam1', originNodeId: 'origin-1', epoch, kicked: true, sessionId: 'pub-77' });
    expect(owner.received).toEqual([{ cmd: 'kick-publisher', key: 'live/cam1', reason: 'kicked by operator' }]);
    expect(other.received).toEqual([]);
    expect(edge.received).toEqual([]);

    // The claim is still in the registry (a real origin releases it as the publisher goes) but the
    // origin no longer has a publisher: the reply says so.
    const second: Any = await unary(client, 'KickPublisher', { stream: 'live/cam1' });
    expect(second).toMatchObject({ originNodeId: 'origin-1', kicked: false, sessionId: '' });

    expect((await failureCode(unary(client, 'KickPublisher', { stream: 'live/none' }))).code).toBe(grpc.status.NOT_FOUND);
    expect(owner.received).toHaveLength(2);
  });

  it('DrainNode reaches the node, which reports draining', async () => {
    const edge = await (await cluster.addNode('edge-1', 'edge')).serve();
    edge.drainReply = { state: 'draining', reconnectRequested: 5, toClose: 2 };

    const res: Any = await unary(client, 'DrainNode', { nodeId: 'edge-1', deadlineMs: 15_000 });
    expect(res).toEqual({ nodeId: 'edge-1', state: 'NODE_STATE_DRAINING', deadlineMs: 15_000, reconnectRequested: 5, toClose: 2 });
    expect(edge.received).toEqual([{ cmd: 'drain', timeoutMs: 15_000 }]);
    const node: Any = await unary(client, 'GetNode', { id: 'edge-1' });
    expect(node.state).toBe('NODE_STATE_DRAINING');

    // No deadline: the node applies its own default.
    const res2: Any = await unary(client, 'DrainNode', { nodeId: 'edge-1' });
    expect(edge.received[1]).toEqual({ cmd: 'drain' });
    expect(res2.deadlineMs).toBe(30_000);

    expect((await failureCode(unary(client, 'DrainNode', { nodeId: 'ghost' }))).code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('WatchEvents', () => {
  function watch(c: ControlClient): { events: Any[]; ready: Promise<void>; call: grpc.ClientReadableStream<Any>; status: Promise<grpc.StatusObject> } {
    const call = c.WatchEvents({});
    const events: Any[] = [];
    const ready = new Promise<void>((resolve) => call.once('metadata', () => resolve()));
    call.on('data', (e) => events.push(e));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    return { events, ready, call, status };
  }

  it('delivers published, unpublished, node and kick events in order', async () => {
    const w = watch(client);
    await w.ready;
    const origin = await (await cluster.addNode('origin-1', 'origin', { address: 'origin-1.o:1935' })).serve();
    const edge = await (await cluster.addNode('edge-1', 'edge', { address: 'edge-1.e:1935' })).serve();

    await origin.publish({ type: 'node.up', role: 'origin', address: 'origin-1.o:1935' });
    await edge.publish({ type: 'node.up', role: 'edge', address: 'edge-1.e:1935' });
    const epoch = await origin.claim('live/cam1', {}, 'pub-1');
    await origin.publish({
      type: 'stream.published',
      key: 'live/cam1',
      app: 'live',
      name: 'cam1',
      originId: 'origin-1',
      originAddress: 'origin-1.o:1935',
      epoch,
      codecs: { video: 'avc', audio: 'aac' },
    });
    await waitFor('published event', () => w.events.length >= 3 || undefined);
    await unary(client, 'KickPublisher', { stream: 'live/cam1' }); // control announces the kick
    await waitFor('kick event', () => w.events.length >= 4 || undefined);
    await origin.publish({ type: 'stream.unpublished', key: 'live/cam1', app: 'live', name: 'cam1', originId: 'origin-1', epoch, reason: 'kicked' });
    await unary(client, 'DrainNode', { nodeId: 'edge-1', deadlineMs: 1000 }); // the node announces draining
    await edge.publish({ type: 'node.down', role: 'edge', address: 'edge-1.e:1935' });
    cluster.bus.publish({ type: 'node.down', nodeId: 'origin-1', role: 'origin', address: 'origin-1.o:1935', reportedBy: 'control-1' });
    await cluster.bus.flush();

    await waitFor('8 events', () => w.events.length >= 8 || undefined);
    expect(w.events.map((e) => `${e.event}:${e.nodeId}`)).toEqual([
      'nodeUp:origin-1',
      'nodeUp:edge-1',
      'published:origin-1',
      'sessionKicked:origin-1',
      'unpublished:origin-1',
      'nodeDraining:edge-1',
      'nodeDown:edge-1',
      'nodeDown:origin-1',
    ]);
    expect(w.events[0].nodeUp).toEqual({ role: 'NODE_ROLE_ORIGIN', address: 'origin-1.o:1935', reportedBy: '' });
    expect(w.events[2].published).toEqual({
      key: 'live/cam1',
      originNodeId: 'origin-1',
      originAddress: 'origin-1.o:1935',
      epoch,
      videoCodec: 'avc',
      audioCodec: 'aac',
      reason: '',
    });
    expect(w.events[2].timeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(w.events[3].sessionKicked).toEqual({ sessionId: 'pub-1', kind: 'SESSION_KIND_PUBLISHER', stream: 'live/cam1', reason: 'kicked by operator' });
    expect(w.events[4].unpublished).toMatchObject({ key: 'live/cam1', epoch, reason: 'kicked' });
    expect(w.events[5].nodeDraining).toMatchObject({ role: 'NODE_ROLE_EDGE', address: 'edge-1.e:1935' });
    expect(w.events[7].nodeDown.reportedBy).toBe('control-1');

    w.call.cancel();
    expect((await w.status).code).toBe(grpc.status.CANCELLED);
  });

  it('two watchers each get every event', async () => {
    const a = watch(client);
    const b = watch(cluster.client());
    await Promise.all([a.ready, b.ready]);
    const n = await cluster.addNode('edge-7', 'edge');
    for (let i = 0; i < 20; i++) await n.publish({ type: 'node.up', role: 'edge', address: `edge-7.e:${1000 + i}` });
    await waitFor('20 events each', () => (a.events.length >= 20 && b.events.length >= 20) || undefined);
    const addresses = (w: { events: Any[] }): string[] => w.events.map((e) => e.nodeUp.address);
    const expected = Array.from({ length: 20 }, (_, i) => `edge-7.e:${1000 + i}`);
    expect(addresses(a)).toEqual(expected);
    expect(addresses(b)).toEqual(expected);
    a.call.cancel();
    b.call.cancel();
  });
});

describe('authentication', () => {
  it('calls without the token, or with a wrong one, are UNAUTHENTICATED', async () => {
    await cluster.addNode('origin-1', 'origin');
    const none = await failureCode(unary(cluster.client(null), 'ListNodes', {}));
    expect(none.code).toBe(grpc.status.UNAUTHENTICATED);
    const wrong = await failureCode(unary(cluster.client(`${TOKEN}x`), 'GetNode', { id: 'origin-1' }));
    expect(wrong.code).toBe(grpc.status.UNAUTHENTICATED);
    const prefix = await failureCode(unary(cluster.client(TOKEN.slice(0, -1)), 'ListStreams', {}));
    expect(prefix.code).toBe(grpc.status.UNAUTHENTICATED);

    // Raw metadata without the "Bearer" scheme is refused as well.
    const bare = cluster.client(null);
    const md = new grpc.Metadata();
    md.set('authorization', TOKEN);
    const raw = await failureCode(
      new Promise((resolve, reject) => (bare as Any).ListNodes({}, md, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res)))),
    );
    expect(raw.code).toBe(grpc.status.UNAUTHENTICATED);

    const ok: Any = await unary(client, 'ListNodes', {});
    expect(ok.nodes).toHaveLength(1);
  });

  it('WatchEvents without a token ends UNAUTHENTICATED and delivers nothing', async () => {
    const call = cluster.client(null).WatchEvents({});
    const events: unknown[] = [];
    call.on('data', (e) => events.push(e));
    const err = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(events).toEqual([]);
  });

  it('a node command is not sent for an unauthenticated kick', async () => {
    const owner = await (await cluster.addNode('origin-1', 'origin')).serve();
    await owner.claim('live/cam1');
    const err = await failureCode(unary(cluster.client('wrong'), 'KickPublisher', { stream: 'live/cam1' }));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(owner.received).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus, InMemoryEventHub } from '@rtmp-cluster/events';
import { StreamHub } from '@rtmp-cluster/media';
import { MessageType } from '@rtmp-cluster/rtmp';
import { InMemoryRegistry, RegistryUnavailableError, type ClusterRegistry } from '@rtmp-cluster/registry';
import { RtmpServer, type PlayRequest, type PublishRequest } from '@rtmp-cluster/server';
import pino from 'pino';
import { freePort } from '../../../test/support/ports.js';
import { EdgeRole, type EdgeRoleOptions } from '../src/EdgeRole.js';
import { OriginRole } from '../src/OriginRole.js';
import { RecordingClusterMetrics } from './support/RecordingClusterMetrics.js';

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const TOKEN = 'relay-secret-token';

function playReq(connId: string, name = 'cam'): PlayRequest {
  return { connId, remoteAddress: '10.0.0.8:6000', app: 'live', name, key: `live/${name}`, query: {}, tcUrl: undefined, start: -2 };
}

/** An origin (server + OriginRole) whose "publisher" pushes synthetic AVC/AAC frames into its hub. */
async function startOrigin(registry: ClusterRegistry, events: InMemoryEventHub, nodeId = 'origin-a') {
  const hub = new StreamHub();
  const port = await freePort();
  const role = new OriginRole({ nodeId, address: `127.0.0.1:${port}`, hub, registry, bus: new InMemoryEventBus({ nodeId, hub: events }), relayToken: TOKEN });
  const server = new RtmpServer({ hub, logger: pino({ level: 'silent' }), policy: role });
  await server.listen(port, '127.0.0.1');
  role.attachServer(server);
  await role.start();
  stops.push(async () => {
    await server.close();
    await role.stop();
    hub.close();
  });
  return {
    async publish(name: string): Promise<() => void> {
      const req: PublishRequest = { connId: 'enc', remoteAddress: '1.2.3.4:5', app: 'live', name, key: `live/${name}`, query: {}, tcUrl: undefined, publishType: 'live' };
      expect(await role.onPublishRequest(req)).toEqual({ allow: true });
      const pub = hub.publish(req.key, { id: 'enc', close: () => undefined });
      pub.push({ kind: 'video', message: { csid: 6, type: MessageType.Video, timestamp: 0, streamId: 1, payload: Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 4, 0x68, 0xee, 0x3c, 0x80]) } });
      let ts = 0;
      const timer = setInterval(() => {
        ts += 40;
        pub.push({ kind: 'video', message: { csid: 6, type: MessageType.Video, timestamp: ts, streamId: 1, payload: Buffer.from([ts % 400 === 0 ? 0x17 : 0x27, 1, 0, 0, 0, 9, 9]) } });
      }, 40);
      stops.push(() => clearInterval(timer));
      return () => {
        clearInterval(timer);
        pub.unpublish();
        role.onPublishEnded(req);
      };
    },
  };
}

function startEdge(registry: ClusterRegistry, events: InMemoryEventHub, over: Partial<EdgeRoleOptions> = {}) {
  const hub = new StreamHub();
  const role = new EdgeRole({
    nodeId: 'edge-1',
    address: '127.0.0.1:1',
    hub,
    registry,
    bus: new InMemoryEventBus({ nodeId: 'edge-1', hub: events }),
    relayToken: TOKEN,
    playWaitMs: 3000,
    heartbeatMs: 100,
    ...over,
  });
  stops.push(async () => {
    await role.stop();
    hub.close();
  });
  return { role, hub };
}

describe('EdgeRole', () => {
  it('opens one relay for many simultaneous plays of a stream (single-flight)', async () => {
    const registry = new InMemoryRegistry();
    const events = new InMemoryEventHub();
    const origin = await startOrigin(registry, events);
    await origin.publish('cam');
    const metrics = new RecordingClusterMetrics();
    const edge = startEdge(registry, events, { metrics });
    await edge.role.start();
    const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => edge.role.onPlayRequest(playReq(`p${i}`))));
    expect(decisions.filter((d) => !d.allow), JSON.stringify(edge.role.relayStats())).toEqual([]);
    expect(edge.role.relaysStarted).toBe(1);
    expect(edge.role.relayStats()).toHaveLength(1);
    expect(edge.role.relayStats()[0]).toMatchObject({ pulls: 1, state: 'live', upstream: { ownerId: 'origin-a' } });
    expect(edge.hub.isLive('live/cam')).toBe(true);
    expect(metrics.calls).toEqual(['pull:live/cam']);
  });

  it('refuses and closes a player posing as a relay with a wrong token, before any relay starts', async () => {
    const registry = new InMemoryRegistry();
    const events = new InMemoryEventHub();
    const origin = await startOrigin(registry, events);
    await origin.publish('cam');
    const edge = startEdge(registry, events);
    await edge.role.start();
    const forged = await edge.role.onPlayRequest({ ...playReq('p1'), connectObject: { rtmpcRelayToken: 'wrong' } });
    expect(forged).toEqual({ allow: false, statusCode: 'NetStream.Play.Unauthorized', description: 'Playing refused: invalid relay credential', closeConnection: true });
    expect(edge.role.relaysStarted).toBe(0);
    // Another edge with the right token is served like any player.
    expect(await edge.role.onPlayRequest({ ...playReq('p2'), connectObject: { rtmpcRelayToken: TOKEN } })).toEqual({ allow: true });
    expect(edge.role.relaysStarted).toBe(1);
  });

  it('fails fast and says so when the registry is unavailable', async () => {
    const inner = new InMemoryRegistry();
    const broken: ClusterRegistry = Object.assign(Object.create(inner) as ClusterRegistry, {
      lookup: async () => {
        throw new RegistryUnavailableError('redis not connected (test)');
      },
    });
    const metrics = new RecordingClusterMetrics();
    const edge = startEdge(broken, new InMemoryEventHub(), { playWaitMs: 800, metrics });
    const started = Date.now();
    const d = await edge.role.onPlayRequest(playReq('p1'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(d).toMatchObject({ allow: false, statusCode: 'NetStream.Play.StreamNotFound' });
    expect(d.allow === false && d.description).toMatch(/^cluster registry unavailable: cannot locate live\/cam, try again$/);
    // Every failed lookup is counted; no upstream was ever dialed.
    expect(metrics.calls.length).toBeGreaterThan(0);
    expect(new Set(metrics.calls)).toEqual(new Set(['registry:lookup']));
  });

  it('finds a stream published while a play waits (event), and tears the idle relay down', async () => {
    const registry = new InMemoryRegistry();
    const events = new InMemoryEventHub();
    const origin = await startOrigin(registry, events);
    const edge = startEdge(registry, events, { idleGraceMs: 300, relay: { pollBackoff: { initialMs: 5000, maxMs: 5000 } } });
    await edge.role.start();
    const waiting = edge.role.onPlayRequest(playReq('p1', 'late'));
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await origin.publish('late');
    // The poll interval is 5 s here: only the stream.published event can bring it this fast.
    expect(await waiting).toEqual({ allow: true });
    expect(Date.now() - started).toBeLessThan(1500);
    // No player ever subscribed in the hub: the relay goes after the grace period.
    await new Promise((r) => setTimeout(r, 700));
    expect(edge.role.relay('live/late')).toBeUndefined();
  });

  it('refuses publishers', async () => {
    const edge = startEdge(new InMemoryRegistry(), new InMemoryEventHub());
    expect(await edge.role.onPublishRequest({ ...playReq('x'), publishType: 'live' })).toMatchObject({ allow: false });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus, InMemoryEventHub, type ClusterEvent } from '@rtmp-cluster/events';
import { StreamHub } from '@rtmp-cluster/media';
import { InMemoryRegistry, RegistryUnavailableError, type ClaimRequest, type ClaimResult, type PublishInfoPatch } from '@rtmp-cluster/registry';
import type { PlayRequest, PublishRequest } from '@rtmp-cluster/server';
import { AAC_SEQ_44K, AVC_SEQ_320, AVC_SEQ_640, audio, avcFrame, onMetaData, video } from '../../media/test/support/flvTags.js';
import { sleep, waitFor } from '../../../test/support/waitFor.js';
import { OriginRole, type OriginRoleOptions } from '../src/OriginRole.js';
import { RecordingClusterMetrics } from './support/RecordingClusterMetrics.js';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

function publishReq(connId: string, over: Partial<PublishRequest> = {}): PublishRequest {
  return { connId, remoteAddress: '10.0.0.9:5000', app: 'live', name: 'cam', key: 'live/cam', query: {}, tcUrl: undefined, publishType: 'live', ...over };
}
function playReq(connId: string, over: Partial<PlayRequest> = {}): PlayRequest {
  return { connId, remoteAddress: '10.0.0.8:6000', app: 'live', name: 'cam', key: 'live/cam', query: {}, tcUrl: undefined, start: -2, ...over };
}

function setup(over: Partial<OriginRoleOptions> = {}) {
  const registry = new InMemoryRegistry({ leaseMs: 1000 });
  const events = new InMemoryEventHub();
  const seen: ClusterEvent[] = [];
  const watcher = new InMemoryEventBus({ nodeId: 'watcher', hub: events });
  watcher.subscribe({}, (e) => {
    seen.push(e);
  });
  const make = (nodeId: string, extra: Partial<OriginRoleOptions> = {}) => {
    const hub = new StreamHub();
    const kicked: string[] = [];
    const role = new OriginRole({
      nodeId,
      address: `${nodeId}:1935`,
      hub,
      registry,
      bus: new InMemoryEventBus({ nodeId, hub: events }),
      relayToken: 'relay-secret-token',
      claimWaitMs: 0,
      renewEveryMs: 50,
      leaseMs: 1000,
      heartbeatMs: 100,
      ...over,
      ...extra,
    });
    role.attachServer({ kick: (id) => (kicked.push(id), true), stats: () => ({ connections: 3, bytesIn: 0, bytesOut: 0 }) });
    stops.push(() => role.stop());
    stops.push(() => hub.close());
    return { role, hub, kicked };
  };
  return { registry, seen, make };
}

describe('OriginRole', () => {
  it('claims before allowing a publish, announces it, refuses a second origin, releases on end', async () => {
    const { registry, seen, make } = setup();
    const a = make('origin-a');
    const b = make('origin-b');
    await Promise.all([a.role.start(), b.role.start()]);
    expect(await a.role.onPublishRequest(publishReq('c1'))).toEqual({ allow: true });
    const loc = await registry.lookup('live/cam');
    expect(loc).toMatchObject({ ownerId: 'origin-a', ownerAddress: 'origin-a:1935' });
    await sleep(10);
    expect(seen.find((e) => e.type === 'stream.published')).toMatchObject({ key: 'live/cam', originId: 'origin-a', epoch: loc!.epoch });

    const refused = await b.role.onPublishRequest(publishReq('c9'));
    expect(refused).toMatchObject({ allow: false, statusCode: 'NetStream.Publish.BadName' });
    expect(refused.allow === false && refused.description).toMatch(/published on origin-a/);

    // A refused duplicate on the same node must not release the owner's claim.
    a.role.onPublishEnded(publishReq('c-other'));
    expect((await registry.lookup('live/cam'))?.ownerId).toBe('origin-a');
    a.role.onPublishEnded(publishReq('c1'));
    await sleep(20);
    expect(await registry.lookup('live/cam')).toBeNull();
    expect(seen.find((e) => e.type === 'stream.unpublished')).toMatchObject({ reason: 'publisher-left', epoch: loc!.epoch });
  });

  it('waits for a lapsing claim of another origin up to claimWaitMs', async () => {
    const { make } = setup();
    const a = make('origin-a');
    const b = make('origin-b', { claimWaitMs: 3000 });
    await b.role.start();
    // A frozen origin: its node record is alive but its lease is not renewed; it lapses after 1 s.
    const frozen = make('origin-a2', { renewEveryMs: 60_000 });
    await frozen.role.start();
    await frozen.role.onPublishRequest(publishReq('c2'));
    expect(await a.role.onPublishRequest(publishReq('c1'))).toMatchObject({ allow: false });
    const started = Date.now();
    const decision = await b.role.onPublishRequest(publishReq('c3'));
    expect(decision).toEqual({ allow: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('tells relays from players by the credential; relays only for owned streams', async () => {
    const { make } = setup();
    const a = make('origin-a', { allowPlayers: false });
    const relayObj = { rtmpcRelayToken: 'relay-secret-token' };
    expect(await a.role.onPlayRequest(playReq('r1', { connectObject: relayObj }))).toMatchObject({
      allow: false,
      statusCode: 'NetStream.Play.StreamNotFound',
    });
    await a.role.onPublishRequest(publishReq('c1'));
    expect(await a.role.onPlayRequest(playReq('r1', { connectObject: relayObj }))).toEqual({ allow: true });
    // Posing as a relay with a wrong token: refused as unauthorized and closed, not treated as a player.
    expect(await a.role.onPlayRequest(playReq('p1', { connectObject: { rtmpcRelayToken: 'wrong' } }))).toEqual({
      allow: false,
      statusCode: 'NetStream.Play.Unauthorized',
      description: 'Playing refused: invalid relay credential',
      closeConnection: true,
    });
    expect(await a.role.onPlayRequest(playReq('p2'))).toMatchObject({ allow: false });
    expect(a.role.activePlays('live/cam')).toEqual([{ connId: 'r1', key: 'live/cam', remoteAddress: '10.0.0.8:6000', relay: true }]);
    a.role.onPlayEnded(playReq('r1'));
    expect(a.role.activePlays()).toHaveLength(0);
  });

  it('drops the stale publisher and closes its plays when the lease is lost', async () => {
    const { registry, seen, make } = setup();
    const a = make('origin-a');
    await a.role.onPublishRequest(publishReq('c1'));
    const closed: string[] = [];
    a.hub.publish('live/cam', { id: 'c1/1', close: (reason) => closed.push(reason) });
    await a.role.onPlayRequest(playReq('r1', { connectObject: { rtmpcRelayToken: 'relay-secret-token' } }));
    // Another (live) origin takes the stream over (higher epoch): a's next renew reports it lost.
    await registry.heartbeat({ id: 'origin-b', role: 'origin', address: 'origin-b:1935', version: 't', startedAt: 0, load: { connections: 0, streams: 0, ingressBps: 0, egressBps: 0 }, state: 'ready' });
    const r = await registry.claimStream({ app: 'live', name: 'cam', nodeId: 'origin-b', address: 'origin-b:1935', policy: 'takeover' });
    expect(r.status).toBe('claimed');
    await sleep(200);
    expect(closed).toEqual(['kicked']);
    expect(a.hub.isLive('live/cam')).toBe(false);
    expect(a.kicked).toEqual(['r1']);
    expect(a.role.ownedStreams()).toHaveLength(0);
    expect(seen.find((e) => e.type === 'stream.unpublished')).toMatchObject({ originId: 'origin-a', reason: 'lease-lost' });
    // and it no longer lets relays in for it
    expect(await a.role.onPlayRequest(playReq('r2', { connectObject: { rtmpcRelayToken: 'relay-secret-token' } }))).toMatchObject({ allow: false });
    expect((await registry.lookup('live/cam'))?.ownerId).toBe('origin-b');
  });

  it('registers its node record with role, address, load and state', async () => {
    const { registry, make } = setup();
    const a = make('origin-a');
    await a.role.start();
    await a.role.onPublishRequest(publishReq('c1'));
    await sleep(250);
    expect(await registry.getNode('origin-a')).toMatchObject({ role: 'origin', address: 'origin-a:1935', state: 'ready', load: { connections: 3, streams: 1 } });
    await a.role.drain();
    expect((await registry.getNode('origin-a'))?.state).toBe('draining');
    expect(await a.role.onPublishRequest(publishReq('c2', { name: 'other', key: 'live/other' }))).toMatchObject({ allow: false });
    await a.role.stop();
    expect(await registry.getNode('origin-a')).toBeNull();
  });

  it('records codecs, size, frame rate and audio format in its claim once known, and again only when they change', async () => {
    const { registry, make } = setup();
    const patches: PublishInfoPatch[] = [];
    const update = registry.updateStreamInfo.bind(registry);
    registry.updateStreamInfo = (key, epoch, patch) => {
      patches.push(patch);
      return update(key, epoch, patch);
    };
    const a = make('origin-a', { infoRefreshMs: 30 });
    await a.role.start();
    await a.role.onPublishRequest(publishReq('c1'));
    expect((await registry.lookup('live/cam'))?.info).toEqual({ publisherAddress: '10.0.0.9:5000' });

    // Nothing known yet: nothing written.
    const pub = a.hub.publish('live/cam', { id: 'c1/1', close: () => undefined });
    await sleep(150);
    expect(patches).toEqual([]);

    pub.push(onMetaData({ width: 320, height: 240, framerate: 25 }));
    pub.push(video(AVC_SEQ_320, 0));
    pub.push(audio(AAC_SEQ_44K, 0));
    pub.push(video(avcFrame(true), 0));
    await waitFor(async () => (await registry.lookup('live/cam'))?.info.audioCodec === 'aac', 2000, 'codecs in the claim');
    const info = (await registry.lookup('live/cam'))!.info;
    expect(info).toEqual({
      publisherAddress: '10.0.0.9:5000',
      videoCodec: 'avc',
      width: 320,
      height: 240,
      frameRate: 25,
      audioCodec: 'aac',
      audioSampleRate: 44100,
      audioChannels: info.audioChannels,
    });
    expect(info.audioChannels).toBeGreaterThan(0);
    // Unchanged facts are not written again, however often the reporter looks.
    const written = patches.length;
    for (let ts = 40; ts <= 400; ts += 40) pub.push(video(avcFrame(false), ts));
    await sleep(200);
    expect(patches.length).toBe(written);

    // A new sequence header with another picture size: only the size is written.
    pub.push(video(AVC_SEQ_640, 440));
    pub.push(video(avcFrame(true), 440));
    await waitFor(async () => (await registry.lookup('live/cam'))?.info.width === 640, 2000, 'new size in the claim');
    expect(patches.at(-1)).toEqual({ width: 640, height: 360 });
    expect((await registry.lookup('live/cam'))?.info).toMatchObject({ videoCodec: 'avc', audioCodec: 'aac', publisherAddress: '10.0.0.9:5000' });
  });

  it('announces an operator kick of the publisher as stream.unpublished reason kicked', async () => {
    const { seen, make } = setup();
    const a = make('origin-a');
    await a.role.start();
    const req = publishReq('c1');
    await a.role.onPublishRequest(req);
    // As the server does: the hub detaches the source, the source's close() ends the publish at the policy.
    a.hub.publish('live/cam', { id: 'c1/1', close: () => a.role.onPublishEnded(req) });
    expect(a.hub.kickPublisher('live/cam')).toBe(true);
    await waitFor(() => seen.some((e) => e.type === 'stream.unpublished'), 2000, 'stream.unpublished');
    expect(seen.find((e) => e.type === 'stream.unpublished')).toMatchObject({ key: 'live/cam', originId: 'origin-a', reason: 'kicked' });

    // A publisher that simply leaves is still 'publisher-left'.
    seen.length = 0;
    const req2 = publishReq('c2');
    await a.role.onPublishRequest(req2);
    a.hub.publish('live/cam', { id: 'c2/1', close: () => undefined }).unpublish();
    a.role.onPublishEnded(req2);
    await waitFor(() => seen.some((e) => e.type === 'stream.unpublished'), 2000, 'stream.unpublished');
    expect(seen.find((e) => e.type === 'stream.unpublished')).toMatchObject({ reason: 'publisher-left' });
  });

  it('counts registry failures by operation and events NATS could not take', async () => {
    class FlakyRegistry extends InMemoryRegistry {
      down = false;
      override async claimStream(req: ClaimRequest): Promise<ClaimResult> {
        if (this.down) throw new RegistryUnavailableError('redis down (test)');
        return super.claimStream(req);
      }
    }
    const registry = new FlakyRegistry({ leaseMs: 1000 });
    const events = new InMemoryEventHub();
    const bus = new InMemoryEventBus({ nodeId: 'origin-a', hub: events });
    const metrics = new RecordingClusterMetrics();
    const hub = new StreamHub();
    const role = new OriginRole({ nodeId: 'origin-a', address: 'origin-a:1935', hub, registry, bus, claimWaitMs: 0, metrics });
    stops.push(() => hub.close());
    stops.push(() => role.stop());
    await role.start();

    registry.down = true;
    expect(await role.onPublishRequest(publishReq('c1'))).toMatchObject({ allow: false, statusCode: 'NetStream.Publish.Failed' });
    expect(metrics.calls).toEqual(['registry:claim']);

    registry.down = false;
    expect(await role.onPublishRequest(publishReq('c2'))).toEqual({ allow: true });
    await bus.close();
    role.onPublishEnded(publishReq('c2'));
    await waitFor(() => metrics.calls.includes('nats:publish'), 2000, 'dropped stream.unpublished counted');
    expect(metrics.calls).toEqual(['registry:claim', 'nats:publish']);
  });
});

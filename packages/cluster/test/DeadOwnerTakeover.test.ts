/**
 * A publish of a stream another origin holds: the holder's advertised address is probed. Refused (nobody
 * listens: the process is gone) → immediate takeover with a higher epoch; accepted → today's wait-then-refuse.
 * The "dead" addresses are real ports on 127.0.0.1 that were bound and closed again.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryEventBus, InMemoryEventHub, type ClusterEvent } from '@rtmp-cluster/events';
import { StreamHub } from '@rtmp-cluster/media';
import { InMemoryRegistry } from '@rtmp-cluster/registry';
import type { PublishRequest } from '@rtmp-cluster/server';
import { sleep, waitFor } from '../../../test/support/waitFor.js';
import { OriginRole, type OriginRoleOptions } from '../src/OriginRole.js';
import { parseOwnerAddress, probeOwnerAddress } from '../src/OwnerAddressProbe.js';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A port nobody listens on any more: bound, then closed (connects to it are refused). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A listener that accepts and counts connections (an owner that is alive, or frozen with its backlog open). */
async function acceptingServer(): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
}

function publishReq(connId: string): PublishRequest {
  return { connId, remoteAddress: '10.0.0.9:5000', app: 'live', name: 'cam', key: 'live/cam', query: {}, tcUrl: undefined, publishType: 'live' };
}

function setup() {
  // Leases and node records far longer than any test: only the probe can free the stream quickly.
  const registry = new InMemoryRegistry({ leaseMs: 60_000, nodeTtlMs: 60_000 });
  const events = new InMemoryEventHub();
  const seen: ClusterEvent[] = [];
  const watcher = new InMemoryEventBus({ nodeId: 'watcher', hub: events });
  watcher.subscribe({}, (e) => {
    seen.push(e);
  });
  const make = (nodeId: string, address: string, extra: Partial<OriginRoleOptions> = {}) => {
    const hub = new StreamHub();
    const role = new OriginRole({
      nodeId,
      address,
      hub,
      registry,
      bus: new InMemoryEventBus({ nodeId, hub: events }),
      claimWaitMs: 8000,
      renewEveryMs: 50,
      leaseMs: 60_000,
      heartbeatMs: 100,
      nodeTtlMs: 60_000,
      ...extra,
    });
    role.attachServer({ kick: () => true, stats: () => ({ connections: 0, bytesIn: 0, bytesOut: 0 }) });
    stops.push(() => role.stop());
    stops.push(() => hub.close());
    return { role, hub };
  };
  /** A claim by an origin that crashed: node record and lease still valid for a minute, nobody renews them. */
  const deadClaim = async (nodeId: string, address: string): Promise<number> => {
    await registry.heartbeat(
      { id: nodeId, role: 'origin', address, version: 't', startedAt: 0, load: { connections: 0, streams: 0, ingressBps: 0, egressBps: 0 }, state: 'ready' },
      60_000,
    );
    const r = await registry.claimStream({ app: 'live', name: 'cam', nodeId, address, leaseMs: 60_000 });
    if (r.status !== 'claimed') throw new Error('dead claim not made');
    return r.location.epoch;
  };
  return { registry, seen, make, deadClaim };
}

describe('probeOwnerAddress', () => {
  it('answers gone for a closed port, accepting for a listener, unknown for an unusable address', async () => {
    const port = await closedPort();
    expect(await probeOwnerAddress(`127.0.0.1:${port}`, 400)).toMatchObject({ verdict: 'gone', detail: 'ECONNREFUSED' });
    const live = await acceptingServer();
    expect(await probeOwnerAddress(`127.0.0.1:${live.port}`, 400)).toMatchObject({ verdict: 'accepting', detail: 'connected' });
    await waitFor(() => live.accepted() === 1, 1000, 'probe connection seen by the listener');
    expect(await probeOwnerAddress('no-port-here', 400)).toMatchObject({ verdict: 'unknown', detail: 'bad-address' });
  });

  it('parses host:port and [v6]:port', () => {
    expect(parseOwnerAddress('origin-0.origins:1935')).toEqual({ host: 'origin-0.origins', port: 1935 });
    expect(parseOwnerAddress('[::1]:1936')).toEqual({ host: '::1', port: 1936 });
    expect(parseOwnerAddress('127.0.0.1:0')).toBeUndefined();
    expect(parseOwnerAddress('127.0.0.1:70000')).toBeUndefined();
    expect(parseOwnerAddress('::1:1935')).toBeUndefined();
  });
});

describe('OriginRole: takeover from a dead owner', () => {
  it('takes the stream at once with a higher epoch when the owner address refuses connections', async () => {
    const { registry, seen, make, deadClaim } = setup();
    const deadEpoch = await deadClaim('origin-a', `127.0.0.1:${await closedPort()}`);
    const b = make('origin-b', '127.0.0.1:19350');
    await b.role.start();
    const started = Date.now();
    expect(await b.role.onPublishRequest(publishReq('c1'))).toEqual({ allow: true });
    expect(Date.now() - started, 'no wait for the dead claim to lapse').toBeLessThan(1000);
    const loc = await registry.lookup('live/cam');
    expect(loc).toMatchObject({ ownerId: 'origin-b', ownerAddress: '127.0.0.1:19350' });
    expect(loc!.epoch).toBeGreaterThan(deadEpoch);
    await waitFor(() => seen.some((e) => e.type === 'stream.published' && e.originId === 'origin-b'), 1000, 'stream.published');
    expect(seen.find((e) => e.type === 'stream.published')).toMatchObject({ originId: 'origin-b', epoch: loc!.epoch });
  });

  it('an owner that was alive after all (listener gone, registry reachable) loses its lease and its publisher', async () => {
    const { registry, seen, make } = setup();
    const a = make('origin-a', `127.0.0.1:${await closedPort()}`);
    const b = make('origin-b', '127.0.0.1:19350');
    await Promise.all([a.role.start(), b.role.start()]);
    expect(await a.role.onPublishRequest(publishReq('c1'))).toEqual({ allow: true });
    const closed: string[] = [];
    a.hub.publish('live/cam', { id: 'c1/1', close: (reason) => closed.push(reason) });
    const epochA = a.role.ownedStreams()[0]!.epoch;

    expect(await b.role.onPublishRequest(publishReq('c2'))).toEqual({ allow: true });
    expect((await registry.lookup('live/cam'))!.epoch).toBeGreaterThan(epochA);
    // Fencing: a's next renewal (every 50 ms) reports the claim lost.
    await waitFor(() => a.role.ownedStreams().length === 0, 2000, 'a lost its claim');
    expect(closed).toEqual(['kicked']);
    await waitFor(() => seen.some((e) => e.type === 'stream.unpublished' && e.reason === 'lease-lost'), 1000, 'lease-lost event');
    expect((await registry.lookup('live/cam'))?.ownerId).toBe('origin-b');
  });

  it('does not take over an owner whose address accepts connections: waits claimWaitMs, then refuses', async () => {
    const { registry, make, deadClaim } = setup();
    const owner = await acceptingServer();
    const epoch = await deadClaim('origin-a', `127.0.0.1:${owner.port}`);
    const b = make('origin-b', '127.0.0.1:19350', { claimWaitMs: 600 });
    await b.role.start();
    const started = Date.now();
    const decision = await b.role.onPublishRequest(publishReq('c1'));
    expect(decision).toMatchObject({ allow: false, statusCode: 'NetStream.Publish.BadName' });
    expect(decision.allow === false && decision.description).toMatch(/published on origin-a/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(owner.accepted(), 'the owner was probed').toBeGreaterThanOrEqual(1);
    expect(await registry.lookup('live/cam')).toMatchObject({ ownerId: 'origin-a', epoch });
  });

  it('keeps waiting for the lease when takeoverDeadOwner is off', async () => {
    const { registry, make, deadClaim } = setup();
    const epoch = await deadClaim('origin-a', `127.0.0.1:${await closedPort()}`);
    const b = make('origin-b', '127.0.0.1:19350', { claimWaitMs: 400, takeoverDeadOwner: false });
    await b.role.start();
    const started = Date.now();
    expect(await b.role.onPublishRequest(publishReq('c1'))).toMatchObject({ allow: false, statusCode: 'NetStream.Publish.BadName' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(await registry.lookup('live/cam')).toMatchObject({ ownerId: 'origin-a', epoch });
  });
});

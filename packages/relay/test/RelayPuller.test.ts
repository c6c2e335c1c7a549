import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamHub } from '@rtmp-cluster/media';
import { MessageType } from '@rtmp-cluster/rtmp';
import type { RelayMetrics, RelayRepullReason } from '../src/RelayMetrics.js';
import { RelayPuller, type RelayPullerOptions } from '../src/RelayPuller.js';
import type { UpstreamTarget } from '../src/UpstreamTarget.js';
import { HubRecorder } from './HubRecorder.js';
import { TestOrigin } from './TestOrigin.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(20);
  }
}

async function origin(): Promise<TestOrigin> {
  const o = await new TestOrigin().start();
  cleanups.push(() => o.close());
  return o;
}

function edge(locate: RelayPullerOptions['locate'], extra: Partial<RelayPullerOptions> = {}) {
  const hub = new StreamHub();
  const sink = new HubRecorder('player-1');
  hub.subscribe('live/s', sink);
  const puller = new RelayPuller({ hub, app: 'live', name: 's', locate, relayToken: 'secret-relay-token', ...extra });
  cleanups.push(() => {
    puller.stop();
    hub.close();
  });
  return { hub, sink, puller };
}

/** What the puller reported to the node's metrics. */
class MetricsRecorder implements RelayMetrics {
  readonly pulls: string[] = [];
  readonly repulls: Array<[string, RelayRepullReason]> = [];
  relayPullStarted(key: string): void {
    this.pulls.push(key);
  }
  relayRepull(key: string, reason: RelayRepullReason): void {
    this.repulls.push([key, reason]);
  }
}

describe('RelayPuller', () => {
  it('pulls a stream into the edge hub, presenting the relay credential in the connect object', async () => {
    const o = await origin();
    o.publish('live/s', 5000);
    const { sink, puller, hub } = edge(async () => ({ address: o.address, ownerId: 'o1', epoch: 1 }));
    puller.start();
    expect(await puller.waitLive(5000)).toBe(true);
    await until(() => sink.media().length > 20, 5000, 'media at the edge subscriber');
    expect(o.policy.plays[0]?.connectObject?.['rtmpcRelayToken']).toBe('secret-relay-token');
    expect(sink.started[0]?.publisherId).toBe(puller.id);
    expect(hub.streamStats('live/s')?.video?.codec).toBe('avc');
    expect(puller.stats()).toMatchObject({ pulls: 1, pullsStarted: 1, state: 'live' });
  });

  it('switches to a newer upstream keeping the same publication; timestamps continue', async () => {
    const a = await origin();
    const b = await origin();
    a.publish('live/s', 600_000, 1);
    b.publish('live/s', 0, 2);
    const metrics = new MetricsRecorder();
    const { sink, puller } = edge(async () => ({ address: a.address, ownerId: 'a', epoch: 1 }), { metrics });
    puller.start();
    await puller.waitLive(5000);
    await until(() => sink.media().length > 20, 5000, 'media from a');
    const fromA = sink.media().length;
    puller.offer({ address: b.address, ownerId: 'b', epoch: 2 });
    await until(() => puller.currentUpstream?.ownerId === 'b' && puller.live && sink.media().length > fromA + 20, 5000, 'media from b');
    // No unpublish was seen by the player: one start, no stop.
    expect(sink.started).toHaveLength(1);
    expect(sink.stopped).toHaveLength(0);
    for (const type of [MessageType.Audio, MessageType.Video]) {
      const ts = sink.media().filter((m) => m.type === type).map((m) => m.timestamp);
      for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    }
    // B's sequence header (marker 2) reached the player after the switch.
    expect(sink.messages.some((m) => m.type === MessageType.Video && m.payload[1] === 0 && m.payload[8] === 2)).toBe(true);
    // An older offer (a late event of the previous owner) is ignored.
    puller.offer({ address: a.address, ownerId: 'a', epoch: 1 });
    await sleep(300);
    expect(puller.currentUpstream?.ownerId).toBe('b');
    expect(puller.stats().switches).toBe(1);
    // Two upstream connections; one re-pull, caused by the newer owner.
    expect(metrics.pulls).toEqual(['live/s', 'live/s']);
    expect(metrics.repulls).toEqual([['live/s', 'new-epoch']]);
  });

  it('counts one re-pull when the origin\'s publisher left and came back while the players were kept', async () => {
    const o = await origin();
    o.publish('live/s', 0);
    const metrics = new MetricsRecorder();
    const { sink, puller } = edge(async () => ({ address: o.address, ownerId: 'o1', epoch: 1 }), {
      metrics,
      holdMs: 10_000,
      retryBackoff: { initialMs: 50, maxMs: 100 },
    });
    puller.start();
    await puller.waitLive(5000);
    expect(metrics.pulls).toEqual(['live/s']);
    o.stopPublishing();
    // The relay dials again at once; the origin holds that play until a publisher is back.
    await until(() => metrics.pulls.length >= 2, 5000, 'the re-dial');
    await sleep(300);
    o.publish('live/s', 0);
    await until(() => puller.live && sink.media().length > 10, 5000, 'live again');
    expect(sink.stopped).toHaveLength(0);
    expect(metrics.pulls.length).toBeGreaterThanOrEqual(2);
    expect(metrics.repulls).toEqual([['live/s', 'unpublished']]);
  });

  it('retries an unreachable origin with backoff and reports why', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const target: UpstreamTarget = { address: `127.0.0.1:${closed}`, ownerId: 'gone', epoch: 1 };
    const { puller } = edge(async () => target, { retryBackoff: { initialMs: 50, maxMs: 400 } });
    puller.start();
    expect(await puller.waitLive(1500)).toBe(false);
    const pulls = puller.stats().pulls;
    expect(pulls).toBeGreaterThanOrEqual(3);
    expect(pulls).toBeLessThan(15); // backing off, not spinning
    expect(puller.lastUpstreamError?.code).toBe('UPSTREAM_UNREACHABLE');
  });

  it('gives up on an origin that accepts TCP but never answers the handshake', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      mute.close();
    });
    const port = (mute.address() as net.AddressInfo).port;
    const { puller } = edge(async () => ({ address: `127.0.0.1:${port}`, ownerId: 'mute', epoch: 1 }), { startTimeoutMs: 300 });
    puller.start();
    await until(() => puller.lastUpstreamError?.code === 'UPSTREAM_START_TIMEOUT', 3000, 'start timeout');
  });

  it('keeps the players through a short upstream loss, ends the publication after holdMs', async () => {
    const o = await origin();
    o.publish('live/s', 0);
    let location: UpstreamTarget | null = { address: o.address, ownerId: 'o1', epoch: 1 };
    const metrics = new MetricsRecorder();
    const { sink, puller, hub } = edge(async () => location, { holdMs: 600, pollBackoff: { initialMs: 50, maxMs: 100 }, metrics });
    puller.start();
    await puller.waitLive(5000);
    location = null;
    o.stopPublishing(); // origin sends UnpublishNotify; nobody publishes anywhere now
    await until(() => puller.state === 'waiting', 3000, 'waiting for a publisher');
    expect(hub.isLive('live/s')).toBe(true);
    expect(sink.stopped).toHaveLength(0);
    await until(() => !hub.isLive('live/s'), 3000, 'publication ended after the hold');
    expect(sink.stopped).toEqual(['unpublished']);
    // The publisher comes back: the relay publishes again and the player is told.
    location = { address: o.address, ownerId: 'o1', epoch: 2 };
    o.publish('live/s', 0);
    puller.wake();
    await until(() => puller.live && sink.started.length === 2, 5000, 'republished');
    // The players were not kept (the hold ran out): a fresh pull, not a re-pull.
    expect(metrics.pulls).toHaveLength(2);
    expect(metrics.repulls).toEqual([]);
    puller.stop();
    expect(puller.state).toBe('stopped');
  });
});

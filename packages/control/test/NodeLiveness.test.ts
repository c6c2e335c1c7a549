import type * as grpc from '@grpc/grpc-js';
import { startControlServer, type ControlClient, type NodeLivenessOptions } from '@rtmp-cluster/control';
import { NatsEventBus } from '@rtmp-cluster/events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectedRegistry, ControlCluster, TOKEN, unary, waitFor, type FakeNode } from './support/controlCluster.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

// Short enough for quick tests; the defaults (1 s / 0.5 s / 1 s) behave the same, only slower.
const LIVENESS: NodeLivenessOptions = { intervalMs: 200, graceMs: 200, jitterMs: 300 };
const TTL_MS = 1500;
const BEAT_MS = 300;

interface Watch {
  /** Every event received, with the local time it arrived. */
  events: { at: number; e: Any }[];
  call: grpc.ClientReadableStream<Any>;
}

async function watch(client: ControlClient): Promise<Watch> {
  const call = client.WatchEvents({});
  const events: Watch['events'] = [];
  call.on('data', (e) => events.push({ at: Date.now(), e }));
  call.on('error', () => undefined);
  await new Promise<void>((resolve) => call.once('metadata', () => resolve()));
  return { events, call };
}

function nodeEvents(w: Watch, nodeId: string, kind: 'nodeDown' | 'nodeUp', since = 0): { at: number; e: Any }[] {
  return w.events.filter((x) => x.at >= since && x.e.nodeId === nodeId && x.e.event === kind);
}

/** Waits for the first such event. */
function nextEvent(w: Watch, nodeId: string, kind: 'nodeDown' | 'nodeUp', timeoutMs = 5000, since = 0): Promise<{ at: number; e: Any }> {
  return waitFor(`${kind} for ${nodeId}`, () => nodeEvents(w, nodeId, kind, since)[0], timeoutMs);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A node as a real one starts: registers, heartbeats, announces node.up; then lets the watcher see it. */
async function liveNode(cluster: ControlCluster, id: string, ttlMs = TTL_MS): Promise<FakeNode> {
  const node = (await cluster.addNode(id, 'edge', { address: `${id}.e:1935` }, ttlMs)).beatEvery(BEAT_MS);
  await node.publish({ type: 'node.up', role: 'edge', address: `${id}.e:1935` });
  await sleep(4 * LIVENESS.intervalMs!);
  return node;
}

describe('node liveness: one control server', () => {
  let cluster: ControlCluster;
  let w: Watch;

  beforeAll(async () => {
    cluster = await ControlCluster.start({ nodeLiveness: LIVENESS });
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(() => {
    w?.call.cancel();
  });

  it('a node that stops heartbeating is announced node.down with reportedBy, soon after its record expires', async () => {
    w = await watch(cluster.client());
    const node = await liveNode(cluster, 'edge-crash');
    await node.crash();
    const lastBeat = node.lastBeatAt;

    const down = await nextEvent(w, 'edge-crash', 'nodeDown', TTL_MS + 4000);
    expect(down.e.nodeDown).toEqual({ role: 'NODE_ROLE_EDGE', address: 'edge-crash.e:1935', reportedBy: 'control-1' });
    // Not before the record could have expired, and within TTL + 2 s of the last heartbeat.
    expect(down.at).toBeGreaterThanOrEqual(lastBeat + TTL_MS - 100);
    expect(down.at).toBeLessThanOrEqual(lastBeat + TTL_MS + 2000);
    const listed: Any = await unary(cluster.client(), 'ListNodes', {});
    expect(listed.nodes.map((n: Any) => n.id)).not.toContain('edge-crash');

    // Announced once, not every round.
    await sleep(1500);
    expect(nodeEvents(w, 'edge-crash', 'nodeDown')).toHaveLength(1);
  });

  it('a node that shut down cleanly (its own node.down) is not announced again', async () => {
    w = await watch(cluster.client());
    const node = await liveNode(cluster, 'edge-clean');
    await node.shutdown();
    await nextEvent(w, 'edge-clean', 'nodeDown');
    // Past the time the record would have expired, plus round, grace and jitter.
    await sleep(TTL_MS + LIVENESS.intervalMs! + LIVENESS.graceMs! + LIVENESS.jitterMs! + 800);
    const downs = nodeEvents(w, 'edge-clean', 'nodeDown');
    expect(downs).toHaveLength(1);
    expect(downs[0]!.e.nodeDown.reportedBy).toBe('');
  });

  it('a node registered without node.up is announced up; one that announced itself is not', async () => {
    w = await watch(cluster.client());
    const quiet = (await cluster.addNode('edge-quiet', 'edge', { address: 'edge-quiet.e:1935' }, TTL_MS)).beatEvery(BEAT_MS);
    await liveNode(cluster, 'edge-loud');
    const up = await nextEvent(w, 'edge-quiet', 'nodeUp');
    expect(up.e.nodeUp).toEqual({ role: 'NODE_ROLE_EDGE', address: 'edge-quiet.e:1935', reportedBy: 'control-1' });
    await sleep(1000);
    expect(nodeEvents(w, 'edge-quiet', 'nodeUp')).toHaveLength(1);
    expect(nodeEvents(w, 'edge-loud', 'nodeUp').map((x) => x.e.nodeUp.reportedBy)).toEqual(['']); // its own
    await quiet.shutdown();
  });

  it('a node announced down that heartbeats again (partition healed) is announced up again', async () => {
    w = await watch(cluster.client());
    const node = await liveNode(cluster, 'edge-partitioned');
    node.stopBeating();
    await nextEvent(w, 'edge-partitioned', 'nodeDown', TTL_MS + 4000);
    const healedAt = Date.now();
    node.beatEvery(BEAT_MS);
    await node.heartbeat();
    const up = await nextEvent(w, 'edge-partitioned', 'nodeUp', 5000, healedAt);
    expect(up.e.nodeUp).toMatchObject({ role: 'NODE_ROLE_EDGE', address: 'edge-partitioned.e:1935' });
    expect(nodeEvents(w, 'edge-partitioned', 'nodeDown')).toHaveLength(1);
    await node.shutdown();
  });
});

describe('node liveness: two control replicas', () => {
  let cluster: ControlCluster;

  beforeAll(async () => {
    // Replica 1 always draws the shortest delay, replica 2 the longest: 2 must see 1's announcement.
    cluster = await ControlCluster.start({ nodeLiveness: { ...LIVENESS, jitterMs: 1000, random: () => 0 } });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a dead node is announced once, by the first replica', async () => {
    const registry = await connectedRegistry(cluster.redis.url, { commandTimeoutMs: 500, connectTimeoutMs: 500 });
    const bus = await NatsEventBus.connect({ servers: cluster.nats.url, nodeId: 'control-2' });
    const second = await startControlServer({
      registry,
      events: bus,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      nodeLiveness: { ...LIVENESS, jitterMs: 1000, random: () => 0.99 },
    });
    const w = await watch(cluster.client());
    try {
      const node = await liveNode(cluster, 'edge-dead');
      await node.crash();
      const down = await nextEvent(w, 'edge-dead', 'nodeDown', TTL_MS + 4000);
      expect(down.e.nodeDown.reportedBy).toBe('control-1');
      // Replica 2 is due about a second later; it must stay silent.
      await sleep(2000);
      expect(nodeEvents(w, 'edge-dead', 'nodeDown')).toHaveLength(1);
    } finally {
      w.call.cancel();
      await second.stop(200);
      await bus.close();
      await registry.close();
    }
  });
});

describe('node liveness: registry outage', () => {
  let cluster: ControlCluster;

  beforeAll(async () => {
    cluster = await ControlCluster.start({ nodeLiveness: LIVENESS });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('live nodes are not announced down when redis dies or comes back empty; a node that died meanwhile is', async () => {
    const ttl = 2000;
    const w = await watch(cluster.client());
    try {
      const live = [await liveNode(cluster, 'edge-a', ttl), await liveNode(cluster, 'edge-b', ttl)];
      const dead = await liveNode(cluster, 'edge-c', ttl);
      const outageAt = Date.now();

      await cluster.redis.kill();
      await dead.crash(); // dies during the outage
      for (const n of live) n.stopBeating(); // their beats fail anyway; resumed below, late on purpose
      await sleep(ttl + 1500); // longer than the TTL: every record would have expired
      await cluster.redis.restart(); // empty
      await waitFor('control reads the (empty) registry', async () => {
        try {
          return (await cluster.registry.listNodes()).length === 0 ? true : undefined;
        } catch {
          return undefined;
        }
      }, 10_000);
      // The nodes' Redis clients reconnect later than the control's (backoff): for a while the registry is
      // reachable and empty, which must not read as every node having died.
      await sleep(1000);
      for (const n of live) n.beatEvery(BEAT_MS);
      await waitFor('live nodes registered again', async () => {
        const ids = (await cluster.registry.listNodes()).map((n) => n.id);
        return ids.includes('edge-a') && ids.includes('edge-b') ? true : undefined;
      }, 10_000);

      const down = await nextEvent(w, 'edge-c', 'nodeDown', 15_000);
      expect(down.e.nodeDown.reportedBy).toBe('control-1');
      await sleep(1000);
      for (const id of ['edge-a', 'edge-b']) {
        expect(nodeEvents(w, id, 'nodeDown', outageAt), id).toEqual([]);
        expect(nodeEvents(w, id, 'nodeUp', outageAt), id).toEqual([]);
      }
      expect(nodeEvents(w, 'edge-c', 'nodeDown')).toHaveLength(1);
    } finally {
      w.call.cancel();
    }
  });
});

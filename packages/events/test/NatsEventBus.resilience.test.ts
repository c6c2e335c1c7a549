import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { type BusConnectionState, type ClusterEvent, EventBusError, NatsEventBus } from '@rtmp-cluster/events';
import { freePort } from '../../../test/support/ports.js';
import { startNats } from '../../../test/support/nats-server.js';
import { suiteServer } from '../../../test/support/suiteServer.js';
import { published, until } from './eventBusContract.js';

describe('NatsEventBus against a failing nats-server', () => {
  const nats = suiteServer(() => startNats());

  it('subscriptions and command servers resume after nats-server is killed and restarted on the same port', async () => {
    const a = await NatsEventBus.connect({ servers: nats().url, nodeId: 'node-a', subjectPrefix: 'restart', reconnectTimeWaitMs: 100 });
    const b = await NatsEventBus.connect({ servers: nats().url, nodeId: 'node-b', subjectPrefix: 'restart', reconnectTimeWaitMs: 100 });
    try {
      const got: ClusterEvent[] = [];
      const statesA: BusConnectionState[] = [];
      const statesB: BusConnectionState[] = [];
      a.onConnectionState((s) => statesA.push(s));
      b.onConnectionState((s) => statesB.push(s));
      b.subscribe({ types: ['stream.published'] }, (e) => void got.push(e));
      b.serveCommands('node-b', () => ({ pong: true }));
      await b.flush();
      a.publish(published('live', 'before'));
      await until(() => got.length === 1, 3000, 'event before restart');

      await nats().kill();
      await until(() => statesA.includes('disconnected') && statesB.includes('disconnected'), 3000, 'disconnect');
      expect(a.isConnected).toBe(false);
      // Publishing while disconnected neither throws nor blocks.
      const during = a.publish(published('live', 'during'));
      expect(['buffered', 'dropped']).toContain(during.status);
      const started = Date.now();
      const err = await a.request('node-b', { cmd: 'stats' }, 2000).catch((e: unknown) => e);
      expect((err as EventBusError).code).toBe('BUS_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(500);

      await nats().restart();
      await until(() => a.isConnected && b.isConnected, 10_000, 'reconnect');
      expect(statesA.at(-1)).toBe('connected');
      await b.flush();
      await a.flush();
      a.publish(published('live', 'after'));
      await until(() => got.some((e) => e.type === 'stream.published' && e.name === 'after'), 5000, 'event after restart');
      expect(await a.request('node-b', { cmd: 'stats' })).toEqual({ pong: true });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('caps what it buffers while disconnected and reports drops', async () => {
    const a = await NatsEventBus.connect({
      servers: nats().url,
      nodeId: 'node-a',
      subjectPrefix: 'cap',
      maxDisconnectedBufferBytes: 1000,
    });
    try {
      await nats().kill();
      await until(() => !a.isConnected, 3000, 'disconnect');
      const results = Array.from({ length: 20 }, (_, i) => a.publish(published('live', `s${i}`)).status);
      expect(results[0]).toBe('buffered');
      expect(results.filter((s) => s === 'buffered').length).toBeLessThan(10);
      expect(results.at(-1)).toBe('dropped');
    } finally {
      await nats().restart();
      await a.close();
    }
  });

  it('drops malformed messages on event subjects and keeps delivering valid ones', async () => {
    const b = await NatsEventBus.connect({ servers: nats().url, nodeId: 'node-b', subjectPrefix: 'junk' });
    const raw = await connect({ servers: nats().url });
    try {
      const got: ClusterEvent[] = [];
      b.subscribe({}, (e) => void got.push(e));
      await b.flush();
      raw.publish('junk.v1.stream.published.live.x', 'not json');
      raw.publish('junk.v1.stream.published.live.x', JSON.stringify({ v: 2, type: 'stream.published' }));
      raw.publish('junk.v1.node.n1.up', JSON.stringify({ v: 1, type: 'node.up', ts: 1, nodeId: 'n1' }));
      raw.publish('junk.v1.node.n1.up', JSON.stringify({ v: 1, type: 'node.up', ts: 1, nodeId: 'n1', role: 'edge', address: 'e:1935' }));
      await raw.flush();
      await until(() => got.length >= 1, 3000, 'valid event');
      await new Promise((r) => setTimeout(r, 100));
      expect(got.map((e) => e.type)).toEqual(['node.up']);
    } finally {
      await raw.close();
      await b.close();
    }
  });

  it('subject prefixes isolate clusters sharing one NATS', async () => {
    const one = await NatsEventBus.connect({ servers: nats().url, nodeId: 'n1', subjectPrefix: 'clusterone' });
    const two = await NatsEventBus.connect({ servers: nats().url, nodeId: 'n2', subjectPrefix: 'clustertwo' });
    try {
      const seenByTwo: ClusterEvent[] = [];
      const seenByOne: ClusterEvent[] = [];
      two.subscribe({}, (e) => void seenByTwo.push(e));
      one.subscribe({}, (e) => void seenByOne.push(e));
      await two.flush();
      await one.flush();
      one.publish(published('live', 'x'));
      await until(() => seenByOne.length === 1);
      await two.flush();
      expect(seenByTwo).toEqual([]);
      const unreachable = (await two.request('n1', { cmd: 'stats' }, 500).catch((e: unknown) => e)) as EventBusError;
      expect(unreachable.code).toBe('NODE_UNREACHABLE');
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('connect() rejects with BUS_UNAVAILABLE when nothing listens', async () => {
    const port = await freePort();
    const err = await NatsEventBus.connect({ servers: `nats://127.0.0.1:${port}`, nodeId: 'x', connectTimeoutMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EventBusError);
    expect((err as EventBusError).code).toBe('BUS_UNAVAILABLE');
  });
});

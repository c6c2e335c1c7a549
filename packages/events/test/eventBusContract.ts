import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClusterEvent, type EventBus, EventBusError, type NodeCommand } from '@rtmp-cluster/events';

export interface EventBusHarness {
  /** Two buses on the same medium, as two cluster nodes would have (nodeIds 'node-a' and 'node-b'). */
  a: EventBus;
  b: EventBus;
  close(): Promise<void>;
}

export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const published = (app: string, name: string, extra: Record<string, unknown> = {}) =>
  ({
    type: 'stream.published',
    key: `${app}/${name}`,
    app,
    name,
    originId: 'node-a',
    originAddress: '10.0.0.1:1935',
    epoch: 7,
    ...extra,
  }) as const;

async function rejection(p: Promise<unknown>): Promise<EventBusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EventBusError);
  return err as EventBusError;
}

export function describeEventBusContract(name: string, setup: () => Promise<EventBusHarness>): void {
  describe(`EventBus contract: ${name}`, () => {
    let h: EventBusHarness;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.close();
    });

    it('delivers the versioned JSON envelope to subscribers on other nodes and this one', async () => {
      const onB: ClusterEvent[] = [];
      const onA: ClusterEvent[] = [];
      h.b.subscribe({}, (e) => {
        onB.push(e);
      });
      h.a.subscribe({ types: ['stream.published'] }, (e) => {
        onA.push(e);
      });
      await h.b.flush();
      await h.a.flush();
      const before = Date.now();
      const result = h.a.publish(published('live', 'cam1', { codecs: { video: 'avc', audio: 'aac' } }));
      expect(result).toEqual({ status: 'sent' });
      await until(() => onB.length === 1 && onA.length === 1);
      const e = onB[0]!;
      expect(e).toEqual({
        v: 1,
        type: 'stream.published',
        ts: e.ts,
        nodeId: 'node-a',
        key: 'live/cam1',
        app: 'live',
        name: 'cam1',
        originId: 'node-a',
        originAddress: '10.0.0.1:1935',
        epoch: 7,
        codecs: { video: 'avc', audio: 'aac' },
      });
      expect(e.ts).toBeGreaterThanOrEqual(before - 5);
      expect(onA[0]).toEqual(e);
    });

    it('filters by type, key, app and nodeId, including names that are not plain NATS tokens', async () => {
      const byKey: ClusterEvent[] = [];
      const byApp: ClusterEvent[] = [];
      const nodeEvents: ClusterEvent[] = [];
      const nodeB: ClusterEvent[] = [];
      const all: ClusterEvent[] = [];
      const odd = 'cam.1*~:@/x';
      h.b.subscribe({ key: `live/${odd}` }, (e) => void byKey.push(e));
      h.b.subscribe({ app: 'sports' }, (e) => void byApp.push(e));
      h.b.subscribe({ types: ['node.up', 'node.down'] }, (e) => void nodeEvents.push(e));
      h.b.subscribe({ nodeId: 'node-b', types: ['node.up', 'node.draining', 'node.down'] }, (e) => void nodeB.push(e));
      h.b.subscribe({}, (e) => void all.push(e));
      await h.b.flush();

      h.a.publish(published('live', 'cam'));
      h.a.publish(published('live', 'cam.1'));
      h.a.publish(published('live', odd));
      h.a.publish({ type: 'stream.unpublished', key: `live/${odd}`, app: 'live', name: odd, originId: 'node-a', epoch: 7, reason: 'publisher-left' });
      h.a.publish(published('sports', 'final'));
      h.a.publish({ type: 'node.up', role: 'origin', address: '10.0.0.1:1935' });
      h.a.publish({ type: 'node.draining', role: 'origin', address: '10.0.0.1:1935' });
      h.b.publish({ type: 'node.down', role: 'edge', address: '10.0.0.2:1935', reportedBy: 'control-1' });
      h.b.publish({ type: 'session.kicked', sessionId: 's-1', kind: 'player', key: 'sports/final', reason: 'operator' });
      h.a.publish({ type: 'node.up', nodeId: 'node-b', role: 'edge', address: '10.0.0.2:1935' });
      await until(() => all.length === 10, 3000, 'all ten events');

      expect(byKey.map((e) => e.type)).toEqual(['stream.published', 'stream.unpublished']);
      expect(byKey.every((e) => 'name' in e && e.name === odd)).toBe(true);
      expect(byApp.map((e) => e.type).sort()).toEqual(['session.kicked', 'stream.published']);
      // Order is only guaranteed per publisher, so compare as sets.
      expect(nodeEvents.map((e) => `${e.type}:${e.nodeId}`).sort()).toEqual(['node.down:node-b', 'node.up:node-a', 'node.up:node-b']);
      expect(nodeB.map((e) => e.type).sort()).toEqual(['node.down', 'node.up']);
      const down = all.find((e) => e.type === 'node.down');
      expect(down).toMatchObject({ nodeId: 'node-b', role: 'edge', reportedBy: 'control-1' });
    });

    it('unsubscribe stops delivery; a throwing handler does not disturb others', async () => {
      const first: ClusterEvent[] = [];
      const survivor: ClusterEvent[] = [];
      const off = h.b.subscribe({}, (e) => void first.push(e));
      h.b.subscribe({}, () => {
        throw new Error('handler bug');
      });
      h.b.subscribe({}, async () => {
        throw new Error('async handler bug');
      });
      h.b.subscribe({}, (e) => void survivor.push(e));
      await h.b.flush();
      h.a.publish(published('live', 'one'));
      await until(() => first.length === 1 && survivor.length === 1);
      off();
      await h.b.flush();
      h.a.publish(published('live', 'two'));
      await until(() => survivor.length === 2);
      expect(first.length).toBe(1);
    });

    it('rejects malformed events at publish with INVALID_ARGUMENT', () => {
      expect(() => h.a.publish({ ...published('live', 'x'), key: 'live/y' })).toThrow(EventBusError);
      expect(() => h.a.publish({ type: 'bogus' } as never)).toThrow(/unknown event type/);
      expect(() => h.a.publish({ ...published('live', 'x'), epoch: Number.NaN })).toThrow(EventBusError);
    });

    describe('node commands', () => {
      it('request reaches the node serving commands and returns its JSON result', async () => {
        const seen: NodeCommand[] = [];
        h.b.serveCommands('node-b', async (cmd) => {
          seen.push(cmd);
          if (cmd.cmd === 'stats') return { connections: 4, streams: ['live/a'] };
          if (cmd.cmd === 'kick-session') return { kicked: cmd.sessionId };
          return null;
        });
        await h.b.flush();
        expect(await h.a.request('node-b', { cmd: 'stats' }, 2000)).toEqual({ connections: 4, streams: ['live/a'] });
        expect(await h.a.request('node-b', { cmd: 'kick-session', sessionId: 'c-17', reason: 'abuse' })).toEqual({
          kicked: 'c-17',
        });
        expect(await h.a.request('node-b', { cmd: 'drain' })).toBeNull();
        expect(seen).toEqual([{ cmd: 'stats' }, { cmd: 'kick-session', sessionId: 'c-17', reason: 'abuse' }, { cmd: 'drain' }]);
      });

      it('NODE_UNREACHABLE when nobody serves the node, without waiting for the timeout', async () => {
        const started = Date.now();
        const err = await rejection(h.a.request('node-zzz', { cmd: 'stats' }, 3000));
        expect(err.code).toBe('NODE_UNREACHABLE');
        expect(Date.now() - started).toBeLessThan(1500);
        const off = h.b.serveCommands('node-b', () => 'ok');
        await h.b.flush();
        expect(await h.a.request('node-b', { cmd: 'stats' })).toBe('ok');
        off();
        await h.b.flush();
        expect((await rejection(h.a.request('node-b', { cmd: 'stats' }, 1000))).code).toBe('NODE_UNREACHABLE');
      });

      it('COMMAND_TIMEOUT when the node does not answer in time', async () => {
        h.b.serveCommands('node-b', () => new Promise((r) => setTimeout(() => r('late'), 800)));
        await h.b.flush();
        const started = Date.now();
        const err = await rejection(h.a.request('node-b', { cmd: 'list-sessions' }, 200));
        expect(err.code).toBe('COMMAND_TIMEOUT');
        expect(Date.now() - started).toBeLessThan(700);
        await new Promise((r) => setTimeout(r, 700)); // let the late reply arrive and be ignored
      });

      it('COMMAND_FAILED carries the remote error code; malformed commands are refused locally', async () => {
        h.b.serveCommands('node-b', (cmd) => {
          if (cmd.cmd === 'kick-publisher') {
            throw Object.assign(new Error(`no publisher for ${cmd.key}`), { code: 'NO_SUCH_STREAM' });
          }
          throw new Error('plain failure');
        });
        await h.b.flush();
        const err = await rejection(h.a.request('node-b', { cmd: 'kick-publisher', key: 'live/none' }));
        expect(err.code).toBe('COMMAND_FAILED');
        expect(err.remoteCode).toBe('NO_SUCH_STREAM');
        expect(err.message).toContain('no publisher for live/none');
        const plain = await rejection(h.a.request('node-b', { cmd: 'stats' }));
        expect(plain.remoteCode).toBe('COMMAND_ERROR');
        expect((await rejection(h.a.request('node-b', { cmd: 'reboot' } as never))).code).toBe('INVALID_ARGUMENT');
        expect((await rejection(h.a.request('node-b', { cmd: 'kick-session' } as never))).code).toBe('INVALID_ARGUMENT');
      });
    });

    it('a closed bus drops publishes and refuses subscriptions', async () => {
      await h.a.close();
      expect(h.a.publish(published('live', 'x'))).toMatchObject({ status: 'dropped' });
      expect(() => h.a.subscribe({}, () => {})).toThrow(EventBusError);
      expect((await rejection(h.a.request('node-b', { cmd: 'stats' }))).code).toBe('BUS_CLOSED');
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClusterRegistry, type NodeInfo, RegistryError } from '@rtmp-cluster/registry';

/** What the contract needs from an implementation under test. */
export interface RegistryHarness {
  /** A fresh registry with no nodes and no streams, configured with the TTLs below. */
  registry: ClusterRegistry;
  /** A second client on the same store (another process's view). May be the same object for the twin. */
  peer: ClusterRegistry;
  nodeTtlMs: number;
  leaseMs: number;
  /** Lets time pass: advances a manual clock, or sleeps for the real store. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export function node(id: string, overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    id,
    role: 'origin',
    address: `10.0.0.${id.length}:1935`,
    version: '0.1.0',
    startedAt: 1_700_000_000_123,
    load: { connections: 3, streams: 1, ingressBps: 2_500_000, egressBps: 10_000_000.5 },
    state: 'ready',
    ...overrides,
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  expect((err as RegistryError).code).toBe(code);
}

/** The behaviour every ClusterRegistry implementation must show. The node TTL must be >= 2x the lease. */
export function describeRegistryContract(name: string, setup: () => Promise<RegistryHarness>): void {
  describe(`ClusterRegistry contract: ${name}`, () => {
    let h: RegistryHarness;
    let r: ClusterRegistry;
    beforeEach(async () => {
      h = await setup();
      r = h.registry;
      expect(h.nodeTtlMs).toBeGreaterThanOrEqual(2 * h.leaseMs);
    });
    afterEach(async () => {
      await h.close();
    });

    const claimReq = (nodeId: string, extra: Record<string, unknown> = {}) => ({
      app: 'live',
      name: 'cam1',
      nodeId,
      address: `${nodeId}.origins.svc:1935`,
      ...extra,
    });

    describe('nodes', () => {
      it('heartbeat creates a record visible to other clients', async () => {
        const rec = await r.heartbeat(node('origin-b'));
        expect(rec.expiresAt - rec.lastSeen).toBe(h.nodeTtlMs);
        await r.heartbeat(node('edge-a', { role: 'edge', address: '10.1.0.1:1935' }));
        const got = await h.peer.getNode('origin-b');
        expect(got).toMatchObject({
          id: 'origin-b',
          role: 'origin',
          address: '10.0.0.8:1935',
          version: '0.1.0',
          startedAt: 1_700_000_000_123,
          state: 'ready',
          load: { connections: 3, streams: 1, ingressBps: 2_500_000, egressBps: 10_000_000.5 },
        });
        const list = await h.peer.listNodes();
        expect(list.map((n) => [n.id, n.role])).toEqual([
          ['edge-a', 'edge'],
          ['origin-b', 'origin'],
        ]);
        expect(await r.getNode('nobody')).toBeNull();
      });

      it('heartbeat replaces load and state', async () => {
        await r.heartbeat(node('o1'));
        await r.heartbeat(
          node('o1', { state: 'draining', load: { connections: 9, streams: 0, ingressBps: 0, egressBps: 1 } }),
        );
        const got = await r.getNode('o1');
        expect(got?.state).toBe('draining');
        expect(got?.load.connections).toBe(9);
        expect((await r.listNodes()).length).toBe(1);
      });

      it('a node that stops beating disappears after its TTL; a beating one stays', async () => {
        await r.heartbeat(node('dies'));
        await r.heartbeat(node('lives'));
        await h.advance(h.nodeTtlMs / 2);
        await r.heartbeat(node('lives'));
        await h.advance(h.nodeTtlMs / 2 + 50);
        expect(await r.getNode('dies')).toBeNull();
        expect(await r.getNode('lives')).not.toBeNull();
        expect((await r.listNodes()).map((n) => n.id)).toEqual(['lives']);
      });

      it('removeNode deletes at once', async () => {
        await r.heartbeat(node('o1'));
        await r.removeNode('o1');
        expect(await r.getNode('o1')).toBeNull();
        expect(await r.listNodes()).toEqual([]);
      });

      it('rejects malformed node info with INVALID_ARGUMENT', async () => {
        await expectCode(r.heartbeat(node('')), 'INVALID_ARGUMENT');
        await expectCode(r.heartbeat(node('x', { role: 'primary' as never })), 'INVALID_ARGUMENT');
        await expectCode(r.heartbeat(node('x', { address: 'no-port' })), 'INVALID_ARGUMENT');
        await expectCode(r.heartbeat(node('x', { address: 'h:70000' })), 'INVALID_ARGUMENT');
        await expectCode(r.heartbeat(node('x', { state: 'gone' as never })), 'INVALID_ARGUMENT');
        await expectCode(
          r.heartbeat(node('x', { load: { connections: -1, streams: 0, ingressBps: 0, egressBps: 0 } })),
          'INVALID_ARGUMENT',
        );
        await expectCode(r.heartbeat(node('x'), 0), 'INVALID_ARGUMENT');
        expect(await r.listNodes()).toEqual([]);
      });
    });

    describe('stream claims', () => {
      beforeEach(async () => {
        await r.heartbeat(node('o1'));
        await r.heartbeat(node('o2'));
      });

      it('claim records the owner, epoch 1, and is found by lookup and listStreams', async () => {
        const res = await r.claimStream(
          claimReq('o1', { info: { videoCodec: 'avc', width: 1280, height: 720, publisherAddress: '192.0.2.7:50000' } }),
        );
        expect(res.status).toBe('claimed');
        if (res.status !== 'claimed') return;
        expect(res.previous).toBeNull();
        expect(res.location).toMatchObject({
          key: 'live/cam1',
          app: 'live',
          name: 'cam1',
          ownerId: 'o1',
          ownerAddress: 'o1.origins.svc:1935',
          epoch: 1,
          info: { videoCodec: 'avc', width: 1280, height: 720, publisherAddress: '192.0.2.7:50000' },
        });
        expect(res.location.leaseUntil - res.location.since).toBe(h.leaseMs);
        expect(await h.peer.lookup('live/cam1')).toEqual(res.location);
        expect(await h.peer.listStreams()).toEqual([res.location]);
        expect(await r.lookup('live/other')).toBeNull();
      });

      it('a second node gets conflict with the current owner while the claim is live', async () => {
        await r.claimStream(claimReq('o1'));
        const res = await h.peer.claimStream(claimReq('o2'));
        expect(res.status).toBe('conflict');
        if (res.status === 'conflict') {
          expect(res.current.ownerId).toBe('o1');
          expect(res.current.epoch).toBe(1);
        }
        expect((await r.lookup('live/cam1'))?.ownerId).toBe('o1');
      });

      it("policy 'takeover' wins at once with a higher epoch; the old owner's renew reports lost", async () => {
        const first = await r.claimStream(claimReq('o1'));
        const second = await h.peer.claimStream(claimReq('o2', { policy: 'takeover' }));
        expect(second.status).toBe('claimed');
        if (first.status !== 'claimed' || second.status !== 'claimed') return;
        expect(second.location.epoch).toBe(2);
        expect(second.previous?.ownerId).toBe('o1');
        expect(second.previous?.epoch).toBe(1);
        const renew = await r.renewStream('live/cam1', first.location.epoch);
        expect(renew.status).toBe('lost');
        if (renew.status === 'lost') expect(renew.current?.ownerId).toBe('o2');
        const upd = await r.updateStreamInfo('live/cam1', 1, { width: 1 });
        expect(upd.status).toBe('lost');
        const rel = await r.releaseStream('live/cam1', 1);
        expect(rel.status).toBe('lost');
        expect((await r.lookup('live/cam1'))?.ownerId).toBe('o2');
      });

      it('another node may claim once the lease expired (owner node still alive)', async () => {
        await r.claimStream(claimReq('o1'));
        await h.advance(h.leaseMs + 60);
        await r.heartbeat(node('o1'));
        await r.heartbeat(node('o2'));
        expect(await r.lookup('live/cam1')).toBeNull();
        expect(await r.listStreams()).toEqual([]);
        const res = await r.claimStream(claimReq('o2'));
        expect(res.status).toBe('claimed');
        if (res.status === 'claimed') {
          expect(res.location.epoch).toBe(2);
          expect(res.previous).toBeNull();
        }
      });

      it("another node may claim at once when the owner's node record is gone", async () => {
        await r.claimStream(claimReq('o1'));
        await r.removeNode('o1');
        expect(await r.lookup('live/cam1')).toBeNull();
        const res = await r.claimStream(claimReq('o2'));
        expect(res.status).toBe('claimed');
        if (res.status === 'claimed') expect(res.location.ownerId).toBe('o2');
      });

      it('the epoch never repeats, even after release', async () => {
        const a = await r.claimStream(claimReq('o1'));
        if (a.status !== 'claimed') throw new Error('claim failed');
        expect(await r.releaseStream('live/cam1', a.location.epoch)).toEqual({ status: 'released' });
        expect(await r.lookup('live/cam1')).toBeNull();
        expect(await r.listStreams()).toEqual([]);
        const b = await r.claimStream(claimReq('o2'));
        if (b.status !== 'claimed') throw new Error('claim failed');
        expect(b.location.epoch).toBe(a.location.epoch + 1);
        // an unrelated stream has its own counter
        const c = await r.claimStream(claimReq('o1', { name: 'cam2' }));
        if (c.status !== 'claimed') throw new Error('claim failed');
        expect(c.location.epoch).toBe(1);
        // release with the old epoch does not remove the new claim
        const stale = await r.releaseStream('live/cam1', a.location.epoch);
        expect(stale.status).toBe('lost');
        expect((await r.lookup('live/cam1'))?.epoch).toBe(b.location.epoch);
      });

      it('renew keeps the claim alive past the original lease', async () => {
        const a = await r.claimStream(claimReq('o1'));
        if (a.status !== 'claimed') throw new Error('claim failed');
        await h.advance(h.leaseMs * 0.6);
        const renew = await r.renewStream('live/cam1', a.location.epoch);
        expect(renew.status).toBe('renewed');
        if (renew.status === 'renewed') expect(renew.leaseUntil).toBeGreaterThan(a.location.leaseUntil);
        await h.advance(h.leaseMs * 0.6);
        expect((await r.lookup('live/cam1'))?.ownerId).toBe('o1');
        expect((await h.peer.claimStream(claimReq('o2'))).status).toBe('conflict');
      });

      it('an expired claim nobody took can be renewed by its own epoch', async () => {
        const a = await r.claimStream(claimReq('o1'));
        if (a.status !== 'claimed') throw new Error('claim failed');
        await h.advance(h.leaseMs + 60);
        await r.heartbeat(node('o1'));
        expect(await r.lookup('live/cam1')).toBeNull();
        expect((await r.renewStream('live/cam1', a.location.epoch)).status).toBe('renewed');
        expect((await r.lookup('live/cam1'))?.epoch).toBe(a.location.epoch);
      });

      it('a re-claim by the same node gets a new epoch and fences the old one', async () => {
        const a = await r.claimStream(claimReq('o1'));
        const b = await r.claimStream(claimReq('o1'));
        if (a.status !== 'claimed' || b.status !== 'claimed') throw new Error('claim failed');
        expect(b.location.epoch).toBe(a.location.epoch + 1);
        expect(b.previous?.epoch).toBe(a.location.epoch);
        const renewOld = await r.renewStream('live/cam1', a.location.epoch);
        expect(renewOld).toEqual({ status: 'lost', current: b.location });
      });

      it('updateStreamInfo merges fields, null removes one, a stale epoch is refused', async () => {
        const a = await r.claimStream(claimReq('o1', { info: { publisherAddress: '192.0.2.1:4000' } }));
        if (a.status !== 'claimed') throw new Error('claim failed');
        const u1 = await r.updateStreamInfo('live/cam1', a.location.epoch, {
          videoCodec: 'hevc',
          audioCodec: 'aac',
          width: 1920,
          height: 1080,
          frameRate: 29.97,
        });
        expect(u1.status).toBe('updated');
        const u2 = await r.updateStreamInfo('live/cam1', a.location.epoch, { audioCodec: null, audioChannels: 2 });
        expect(u2.status).toBe('updated');
        const found = await h.peer.lookup('live/cam1');
        expect(found?.info).toEqual({
          publisherAddress: '192.0.2.1:4000',
          videoCodec: 'hevc',
          width: 1920,
          height: 1080,
          frameRate: 29.97,
          audioChannels: 2,
        });
        if (u2.status === 'updated') expect(u2.location).toEqual(found);
        const stale = await r.updateStreamInfo('live/cam1', a.location.epoch + 5, { width: 1 });
        expect(stale.status).toBe('lost');
        if (stale.status === 'lost') expect(stale.current?.epoch).toBe(a.location.epoch);
        expect((await r.lookup('live/cam1'))?.info.width).toBe(1920);
      });

      it('hides claims of dead nodes and lists live claims sorted by key', async () => {
        await r.claimStream(claimReq('o1', { name: 'b' }));
        await r.claimStream(claimReq('o2', { name: 'a' }));
        await r.claimStream(claimReq('o1', { app: 'app2', name: 'with/slash' }));
        expect((await r.listStreams()).map((s) => `${s.key}@${s.ownerId}`)).toEqual([
          'app2/with/slash@o1',
          'live/a@o2',
          'live/b@o1',
        ]);
        const slashed = await r.lookup('app2/with/slash');
        expect(slashed).toMatchObject({ app: 'app2', name: 'with/slash' });
        await r.removeNode('o1');
        expect((await r.listStreams()).map((s) => s.key)).toEqual(['live/a']);
        expect(await r.lookup('live/b')).toBeNull();
      });

      it('exactly one of many concurrent claims wins', async () => {
        const ids = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
        for (const id of ids) await r.heartbeat(node(id));
        const results = await Promise.all(ids.map((id) => h.peer.claimStream(claimReq(id, { name: 'race' }))));
        const winners = results.filter((x) => x.status === 'claimed');
        expect(winners.length).toBe(1);
        const winner = winners[0];
        if (winner?.status !== 'claimed') throw new Error('unreachable');
        expect(results.filter((x) => x.status === 'conflict')).toHaveLength(ids.length - 1);
        for (const x of results) {
          if (x.status === 'conflict') expect(x.current.ownerId).toBe(winner.location.ownerId);
        }
        expect((await r.lookup('live/race'))?.ownerId).toBe(winner.location.ownerId);
      });

      it('rejects malformed keys, names, epochs and addresses with INVALID_ARGUMENT', async () => {
        await expectCode(r.lookup('no-slash'), 'INVALID_ARGUMENT');
        await expectCode(r.lookup('/name'), 'INVALID_ARGUMENT');
        await expectCode(r.lookup('app/'), 'INVALID_ARGUMENT');
        await expectCode(r.claimStream(claimReq('o1', { app: 'a/b' })), 'INVALID_ARGUMENT');
        await expectCode(r.claimStream(claimReq('o1', { name: 'bad\nname' })), 'INVALID_ARGUMENT');
        await expectCode(r.claimStream(claimReq('o1', { name: 'x'.repeat(300) })), 'INVALID_ARGUMENT');
        await expectCode(r.claimStream(claimReq('o1', { address: 'nowhere' })), 'INVALID_ARGUMENT');
        await expectCode(r.renewStream('live/cam1', 0), 'INVALID_ARGUMENT');
        await expectCode(r.releaseStream('live/cam1', 1.5), 'INVALID_ARGUMENT');
        expect(await r.listStreams()).toEqual([]);
      });
    });

    it('a closed registry refuses calls with REGISTRY_CLOSED', async () => {
      await r.close();
      await expectCode(r.listNodes(), 'REGISTRY_CLOSED');
      await expectCode(r.lookup('live/x'), 'REGISTRY_CLOSED');
    });
  });
}

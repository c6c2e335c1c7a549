/**
 * The server's abuse limits with real sockets: connections per IP, the per-IP connection rate, the
 * publisher limit, denials that close the connection, and a peer that floods commands without reading.
 * Each limit refuses with its own close reason (which is what the node's metrics count).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StreamHub } from '@rtmp-cluster/media';
import { commandMessage, ChunkEncoder } from '@rtmp-cluster/rtmp';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../../../test/e2e/support/TestRtmpClient.js';
import { rawConnect, rawHandshake, type RawClient } from '../../../test/e2e/support/rawRtmp.js';
import { loadTlsFiles } from '@rtmp-cluster/core';
import { makeSelfSignedCert } from '../../../test/security/support/tlsCert.js';
import {
  ConnectionRateLimiter,
  RtmpServer,
  type ConnectionClosedEvent,
  type RtmpServerOptions,
  type StreamAccessPolicy,
} from '../src/index.js';

const open: Array<{ server: RtmpServer; hub: StreamHub; clients: TestRtmpClient[]; raws: RawClient[] }> = [];

async function start(opts: Partial<RtmpServerOptions> = {}) {
  const hub = new StreamHub();
  const server = new RtmpServer({ hub, logger: pino({ level: 'silent' }), playWaitMs: 1000, ...opts });
  const { port } = await server.listen(0, '127.0.0.1');
  const closed: ConnectionClosedEvent[] = [];
  server.on('connectionClosed', (e) => closed.push(e));
  const h = { server, hub, port, url: `rtmp://127.0.0.1:${port}/live`, closed, clients: [] as TestRtmpClient[], raws: [] as RawClient[] };
  open.push(h);
  return h;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not met in time: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    for (const c of h.clients) c.close();
    for (const r of h.raws) r.socket.destroy();
    await h.server.close();
    h.hub.close();
  }
});

describe('ConnectionRateLimiter', () => {
  it('allows the burst, then the refill rate, per address, and prunes full buckets', () => {
    const rl = new ConnectionRateLimiter({ ratePerSecond: 10, burst: 3 });
    expect([0, 0, 0, 0].map(() => rl.tryAcquire('a', 0))).toEqual([true, true, true, false]);
    expect(rl.tryAcquire('b', 0)).toBe(true); // another address has its own bucket
    expect(rl.tryAcquire('a', 50)).toBe(false); // half a token
    expect(rl.tryAcquire('a', 100)).toBe(true); // one token after 100 ms at 10/s
    expect(rl.trackedAddresses).toBe(2);
    rl.prune(10_000);
    expect(rl.trackedAddresses).toBe(0);
  });

  it('bounds the number of tracked addresses', () => {
    const rl = new ConnectionRateLimiter({ ratePerSecond: 1, burst: 1, maxAddresses: 100 });
    for (let i = 0; i < 1000; i++) rl.tryAcquire(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(rl.trackedAddresses).toBeLessThanOrEqual(100);
  });
});

describe('RtmpServer limits', () => {
  it('refuses connections beyond maxConnectionsPerIp with MAX_CONNECTIONS_PER_IP, and accepts again after one closed', async () => {
    const h = await start({ maxConnectionsPerIp: 3, connectionRatePerIp: 0 });
    for (let i = 0; i < 3; i++) h.raws.push(await rawConnect(h.port));
    await until(() => h.server.stats().connections === 3, 2000, '3 connections');
    const fourth = await rawConnect(h.port);
    h.raws.push(fourth);
    await fourth.closed;
    await until(() => h.closed.some((e) => e.reason === 'MAX_CONNECTIONS_PER_IP'), 2000, 'refusal event');
    const refusal = h.closed.find((e) => e.reason === 'MAX_CONNECTIONS_PER_IP')!;
    expect(refusal.message).toContain('too many connections from 127.0.0.1 (limit 3)');
    expect(h.server.stats().closedByReason['MAX_CONNECTIONS_PER_IP']).toBe(1);
    expect(h.server.stats().connectionsRefused).toBe(1);
    h.raws[0]!.socket.destroy();
    await until(() => h.server.stats().connections === 2, 2000, 'one closed');
    const again = await rawHandshake(h.port);
    h.raws.push(again);
    expect(h.server.stats().connections).toBe(3);
  });

  it('refuses a burst beyond the per-IP rate with CONNECTION_RATE_LIMITED', async () => {
    const h = await start({ connectionRatePerIp: 1, connectionBurstPerIp: 5 });
    const clients = await Promise.all(Array.from({ length: 12 }, () => rawConnect(h.port)));
    h.raws.push(...clients);
    await until(() => h.closed.filter((e) => e.reason === 'CONNECTION_RATE_LIMITED').length >= 6, 3000, 'rate refusals');
    const limited = h.closed.filter((e) => e.reason === 'CONNECTION_RATE_LIMITED').length;
    // 5 from the burst, at most one more refilled while the 12 connected.
    expect(limited).toBeGreaterThanOrEqual(6);
    expect(limited).toBeLessThanOrEqual(7);
    expect(h.server.stats().connections).toBe(12 - limited);
  });

  it('refuses a publish beyond maxPublishers with Publish.Failed, closes that connection, keeps the others', async () => {
    const h = await start({ maxPublishers: 2 });
    const pubs: TestRtmpClient[] = [];
    for (const name of ['a', 'b', 'c']) {
      const c = await TestRtmpClient.connect(h.url);
      h.clients.push(c);
      pubs.push(c);
      await c.publish(name);
    }
    await pubs[0]!.waitForStatus('NetStream.Publish.Start');
    await pubs[1]!.waitForStatus('NetStream.Publish.Start');
    const refused = await pubs[2]!.waitForStatus('NetStream.Publish.Failed');
    expect(String(refused.description)).toContain('Server publisher limit reached (2 streams)');
    expect(pubs[2]!.statusCodes()).not.toContain('NetStream.Publish.Start');
    await until(() => pubs[2]!.closed, 3000, 'refused publisher closed');
    expect(h.closed.find((e) => e.reason === 'MAX_PUBLISHERS')).toBeDefined();
    expect(h.server.stats().publishesRefused).toBe(1);
    expect(h.hub.isLive('live/a') && h.hub.isLive('live/b')).toBe(true);
    expect(pubs[0]!.closed || pubs[1]!.closed).toBe(false);
  });

  it('a denial with closeConnection sends the status, then closes with ACCESS_DENIED; the request carries clientIp and the name query', async () => {
    const seen: Array<{ clientIp?: string; nameQuery?: Record<string, string>; appQuery?: Record<string, string>; query: Record<string, string> }> = [];
    const policy: StreamAccessPolicy = {
      async onPublishRequest(req) {
        seen.push(req);
        return { allow: false, statusCode: 'NetStream.Publish.Unauthorized', description: 'Publishing refused: token expired', closeConnection: true };
      },
      async onPlayRequest() {
        return { allow: true };
      },
    };
    const h = await start({ policy });
    const c = await TestRtmpClient.connect(h.url);
    h.clients.push(c);
    await c.publish('cam?token=fromname');
    const st = await c.waitForStatus('NetStream.Publish.Unauthorized');
    expect(st.description).toBe('Publishing refused: token expired');
    expect(c.statusCodes()).not.toContain('NetStream.Publish.Start');
    await until(() => c.closed, 3000, 'client closed');
    const e = h.closed.find((x) => x.reason === 'ACCESS_DENIED')!;
    expect(e).toBeDefined();
    expect(e.errorCode).toBe('NetStream.Publish.Unauthorized');
    expect(seen[0]!.clientIp).toBe('127.0.0.1');
    expect(seen[0]!.nameQuery).toEqual({ token: 'fromname' });
    // (the app query path is exercised with ffmpeg in test/security/auth.test.ts)
    expect(seen[0]!.appQuery).toEqual({});
    expect(seen[0]!.query).toEqual({ token: 'fromname' });
  });

  it('closes a peer that floods commands and never reads with OUTPUT_OVERFLOW', async () => {
    const h = await start({ maxPendingOutputBytes: 256 * 1024 });
    const r = await rawHandshake(h.port);
    h.raws.push(r);
    r.socket.pause(); // never read: answers pile up on the server side
    const enc = new ChunkEncoder();
    const connect = enc.encode(commandMessage({ name: 'connect', transactionId: 1, commandObject: { app: 'live' }, args: [] }, { csid: 3 }));
    r.socket.write(connect);
    // createStream answers are small; many of them overflow the bound once the kernel buffers are full.
    const batch = Buffer.concat(
      Array.from({ length: 2000 }, (_, i) => enc.encode(commandMessage({ name: '_checkbw', transactionId: i + 2, commandObject: null, args: [] }, { csid: 3 }))),
    );
    const deadline = Date.now() + 20_000;
    while (!h.closed.some((e) => e.reason === 'OUTPUT_OVERFLOW') && Date.now() < deadline && !r.socket.destroyed) {
      await new Promise<void>((resolve) => {
        if (r.socket.write(batch)) resolve();
        else r.socket.once('drain', () => resolve());
        setTimeout(resolve, 200);
      });
    }
    await until(() => h.closed.some((e) => e.reason === 'OUTPUT_OVERFLOW'), 5000, 'overflow close');
    expect(h.closed.find((e) => e.reason === 'OUTPUT_OVERFLOW')!.message).toContain('peer does not read');
  });
});

describe('RTMPS listener limits', () => {
  it('rate-limits at TCP accept (not counted as TLS failures), times out stalled TLS handshakes, and close() does not wait for them', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-srv-tls-'));
    try {
      const cert = await makeSelfSignedCert(tmp, 'srv');
      const hub = new StreamHub();
      const server = new RtmpServer({ hub, logger: pino({ level: 'silent' }), connectionRatePerIp: 1, connectionBurstPerIp: 2, handshakeTimeoutMs: 500 });
      const { port } = await server.listenTls(0, '127.0.0.1', loadTlsFiles(cert));
      const sockets = Array.from({ length: 6 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
      try {
        await until(() => (server.stats().closedByReason['CONNECTION_RATE_LIMITED'] ?? 0) === 4, 2000, '4 refused');
        // The 2 admitted ones never start TLS: the handshake timeout ends them as TLS failures.
        await until(() => server.stats().tlsHandshakeFailures === 2, 3000, 'tls handshake timeouts');
        expect(server.stats().closedByReason['TLS_HANDSHAKE_FAILED']).toBe(2);
        const more = net.connect(port, '127.0.0.1').on('error', () => undefined);
        sockets.push(more);
        await new Promise((r) => setTimeout(r, 1200)); // refilled: admitted, now in its TLS handshake
        const t0 = performance.now();
        await server.close();
        expect(performance.now() - t0).toBeLessThan(400);
      } finally {
        for (const s of sockets) s.destroy();
        hub.close();
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

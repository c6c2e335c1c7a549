/**
 * Bad clients against a single node while ffmpeg publishes and ffprobe plays: each bad connection is closed
 * with its precise reason (event and log line), and the good ones keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { rawConnect, rawHandshake, type0Chunk, type RawClient } from './support/rawRtmp.js';
import { TestRtmpClient } from './support/TestRtmpClient.js';
import { startTestNode, waitLive, type TestNode } from './support/testNode.js';
import { sleep } from '../support/waitFor.js';

const HANDSHAKE_TIMEOUT_MS = 2000;
const IDLE_TIMEOUT_MS = 3000;

describe('bad input is contained to its connection', () => {
  const procs = new ClientProcesses();
  const raws: RawClient[] = [];
  const clients: TestRtmpClient[] = [];
  let t: TestNode;
  let flv: string;
  let port: number;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    t = await startTestNode({ handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS });
    port = t.node.addresses().rtmp.port;
  });

  afterAll(async () => {
    for (const r of raws) r.socket.destroy();
    for (const c of clients) c.close();
    await procs.stopAll();
    await t?.stop();
  });

  async function raw(): Promise<RawClient> {
    const r = await rawConnect(port);
    raws.push(r);
    return r;
  }

  function closeOf(remote: string, timeoutMs = 8000) {
    return t.waitForClose((e) => e.remoteAddress === remote, timeoutMs);
  }

  function expectLogged(connId: string, reason: string, errorCode?: string): void {
    const line = t.logs.find((l) => l.connId === connId && l.reason === reason && typeof l.msg === 'string' && l.msg.startsWith('connection closed'));
    expect(line, `log line for ${connId} ${reason}`).toBeDefined();
    if (errorCode) {
      expect(line!.errorCode).toBe(errorCode);
      expect(line!.msg).toContain(errorCode);
    }
  }

  it('closes each bad client with its reason while ffmpeg publishes and ffprobe plays', async () => {
    const url = t.url('/live/good');
    const publisher = ffmpegPublish(procs, flv, url, { loop: true, timeoutMs: 50_000 });
    await waitLive(t, 'live/good', 8000);
    const publisherConn = t.node.rtmp.listConnections().find((c) => c.publishing.includes('live/good'))!;
    expect(publisherConn).toBeDefined();

    const cases = await Promise.all([
      // Garbage: an HTTP request is not an RTMP C0.
      (async () => {
        const r = await raw();
        r.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        const e = await closeOf(r.remote);
        expect(e.reason).toBe('PROTOCOL_ERROR');
        expect(e.errorCode).toBe('HANDSHAKE_BAD_VERSION');
        expect(e.phase).toBe('handshake');
        await r.closed;
        return e;
      })(),
      // C0 = 6 (RTMPE) is refused cleanly.
      (async () => {
        const r = await raw();
        r.socket.write(Buffer.concat([Buffer.from([6]), Buffer.alloc(1536, 7)]));
        const e = await closeOf(r.remote);
        expect(e.reason).toBe('PROTOCOL_ERROR');
        expect(e.errorCode).toBe('HANDSHAKE_BAD_VERSION');
        expect(r.received()).toBe(0);
        return e;
      })(),
      // Truncated handshake: C0 + part of C1, then FIN.
      (async () => {
        const r = await raw();
        r.socket.end(Buffer.concat([Buffer.from([3]), Buffer.alloc(700, 1)]));
        const e = await closeOf(r.remote);
        expect(e.reason).toBe('HANDSHAKE_INCOMPLETE');
        return e;
      })(),
      // Slowloris: one byte per second never finishes the handshake.
      (async () => {
        const r = await raw();
        const started = performance.now();
        const drip = setInterval(() => {
          if (!r.socket.destroyed) r.socket.write(Buffer.from([3]));
        }, 1000);
        try {
          const e = await closeOf(r.remote, HANDSHAKE_TIMEOUT_MS + 5000);
          expect(e.reason).toBe('HANDSHAKE_TIMEOUT');
          const took = performance.now() - started;
          expect(took).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
          expect(took).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 2000);
          await r.closed;
          return e;
        } finally {
          clearInterval(drip);
        }
      })(),
      // Absurd Set Chunk Size (top bit set) after a valid connect.
      (async () => {
        const c = await TestRtmpClient.connect(url.replace('/good', ''));
        clients.push(c);
        const payload = Buffer.alloc(4);
        payload.writeUInt32BE(0x80000000);
        const remote = `127.0.0.1:${c.localPort}`;
        c.writeRaw(type0Chunk(2, 1, 4, payload));
        const e = await closeOf(remote);
        expect(e.reason).toBe('PROTOCOL_ERROR');
        expect(e.errorCode).toBe('CHUNK_SIZE_INVALID');
        await c.until(() => c.closed, 5000, 'socket closed');
        return e;
      })(),
      // A message declaring 0xFFFFFF bytes: above the maximum message size, refused before allocating it.
      (async () => {
        const c = await TestRtmpClient.connect(url.replace('/good', ''));
        clients.push(c);
        const remote = `127.0.0.1:${c.localPort}`;
        c.writeRaw(type0Chunk(3, 20, 0xffffff, Buffer.alloc(128, 0x41)));
        const e = await closeOf(remote);
        expect(e.reason).toBe('PROTOCOL_ERROR');
        expect(e.errorCode).toBe('MESSAGE_TOO_LARGE');
        return e;
      })(),
      // A chunk stream that was never started with a type-0 header.
      (async () => {
        const r = await rawHandshake(port);
        raws.push(r);
        r.socket.write(Buffer.from([0xc3, 0x00, 0x01, 0x02]));
        const e = await closeOf(r.remote);
        expect(e.reason).toBe('PROTOCOL_ERROR');
        expect(e.errorCode).toBe('CHUNK_NO_PREVIOUS_HEADER');
        return e;
      })(),
      // Handshake done, then silence: idle timeout.
      (async () => {
        const r = await rawHandshake(port);
        raws.push(r);
        const e = await closeOf(r.remote, IDLE_TIMEOUT_MS + 5000);
        expect(e.reason).toBe('IDLE_TIMEOUT');
        expect(e.phase).toBe('session');
        return e;
      })(),
    ]);

    for (const e of cases) expectLogged(e.connId, e.reason, e.reason === 'PROTOCOL_ERROR' ? (e.errorCode as string) : undefined);

    // The good clients never noticed.
    const probe = await ffprobeStreams(procs, url, { seconds: 2 });
    expect(probe.result.code, probe.result.stderr).toBe(0);
    const v = probe.streams.find((s) => s.codec_type === 'video');
    expect(v?.codec_name).toBe('h264');
    expect(Number(v?.nb_read_frames)).toBeGreaterThanOrEqual(30);
    expect(publisher.running()).toBe(true);
    expect(t.closed.some((e) => e.connId === publisherConn.connId)).toBe(false);
    expect(t.node.hub.isLive('live/good')).toBe(true);
    await publisher.stop();
  });

  it('refuses connections beyond maxConnections and keeps serving the others', async () => {
    const small = await startTestNode({ maxConnections: 2 });
    const opened: RawClient[] = [];
    try {
      const p = small.node.addresses().rtmp.port;
      const a = await rawConnect(p);
      const b = await rawConnect(p);
      opened.push(a, b);
      await sleep(100);
      const c = await rawConnect(p);
      opened.push(c);
      const e = await small.waitForClose((x) => x.remoteAddress === c.remote, 5000);
      expect(e.reason).toBe('MAX_CONNECTIONS');
      await c.closed;
      expect(small.logs.some((l) => l.reason === 'MAX_CONNECTIONS' && l.connId === e.connId)).toBe(true);
      // The first two are still open and can finish a handshake.
      expect(small.node.rtmp.stats().connections).toBe(2);
      a.socket.destroy();
      await small.waitForClose((x) => x.remoteAddress === a.remote, 5000);
      const client = await TestRtmpClient.connect(small.url('/live'));
      client.close();
    } finally {
      for (const o of opened) o.socket.destroy();
      await small.stop();
    }
  });
});

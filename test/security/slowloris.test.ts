/**
 * Slowloris against the built executable in a child process: 2,000 connections that dribble the handshake
 * one byte per second. A real ffmpeg publisher and ffprobe player keep working meanwhile, every slow
 * connection is closed at the handshake timeout (counted by /metrics), and with the default per-address
 * rate limit the same burst from one address is mostly refused at accept.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { metricValue, startChildNode, type ChildNode } from './support/childNode.js';

const SLOW_CONNECTIONS = 2000;
const HANDSHAKE_TIMEOUT_MS = 3000;

interface SlowClient {
  socket: net.Socket;
  openedAt: number;
  closedAt: number | undefined;
}

/** Opens `n` sockets in batches (the listen backlog is finite) and dribbles one byte per second on each. */
async function openSlowClients(port: number, n: number): Promise<{ clients: SlowClient[]; stop: () => void }> {
  const clients: SlowClient[] = [];
  const batch = 250;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        new Promise<void>((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          const c: SlowClient = { socket, openedAt: 0, closedAt: undefined };
          socket.on('error', () => undefined);
          socket.once('connect', () => {
            c.openedAt = performance.now();
            socket.write(Buffer.from([3])); // C0: RTMP version 3, then one C1 byte per second
            resolve();
          });
          socket.once('close', () => {
            c.closedAt = performance.now();
            resolve();
          });
          clients.push(c);
        }),
      ),
    );
  }
  const drip = setInterval(() => {
    for (const c of clients) if (c.closedAt === undefined && !c.socket.destroyed) c.socket.write(Buffer.from([0x42]));
  }, 1000);
  return {
    clients,
    stop: () => {
      clearInterval(drip);
      for (const c of clients) c.socket.destroy();
    },
  };
}

async function waitAllClosed(clients: SlowClient[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (clients.some((c) => c.closedAt === undefined) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

describe('slowloris', () => {
  const procs = new ClientProcesses();
  let flv: string;
  let server: ChildNode;
  let defaults: ChildNode;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    [server, defaults] = await Promise.all([
      startChildNode(procs, {
        RTMPC_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS),
        // The attack comes from 127.0.0.1 like the real clients: lift the per-address limits so that
        // the handshake timeout is what has to cope.
        RTMPC_MAX_CONNECTIONS_PER_IP: '10000',
        RTMPC_CONN_RATE_PER_IP: '0',
        RTMPC_LOG_LEVEL: 'error',
      }),
      startChildNode(procs, { RTMPC_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS), RTMPC_LOG_LEVEL: 'error' }),
    ]);
  });

  afterAll(async () => {
    await procs.stopAll();
  });

  it(`${SLOW_CONNECTIONS} one-byte-per-second handshakes do not stop ffmpeg and ffprobe; all are closed at the timeout`, async () => {
    const pub = ffmpegPublish(procs, flv, server.url('/live/real'), { loop: true, timeoutMs: 120_000 });
    const deadline = Date.now() + 10_000;
    while (metricValue(await server.metrics(), 'rtmpc_streams_live') < 1) {
      if (Date.now() > deadline) throw new Error(`publisher not live: ${pub.stderr().slice(-1000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const slow = await openSlowClients(server.rtmpPort, SLOW_CONNECTIONS);
    try {
      expect(slow.clients.filter((c) => c.openedAt > 0)).toHaveLength(SLOW_CONNECTIONS);
      const open = metricValue(await server.metrics(), 'rtmpc_rtmp_connections');
      // Most of them are open at once (the first batches may already be timing out).
      expect(open).toBeGreaterThan(SLOW_CONNECTIONS / 2);
      // A new player gets through and receives the live stream while they hang.
      const probe = await ffprobeStreams(procs, server.url('/live/real'), { seconds: 3 });
      expect(probe.streams.map((s) => s.codec_name).sort(), probe.result.stderr).toEqual(['aac', 'h264']);
      expect(Number(probe.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBeGreaterThanOrEqual(60);

      await waitAllClosed(slow.clients, HANDSHAKE_TIMEOUT_MS + 10_000);
      const lifetimes = slow.clients.map((c) => (c.closedAt ?? Infinity) - c.openedAt);
      expect(lifetimes.filter((ms) => ms === Infinity)).toHaveLength(0);
      // Closed at the timeout: not before it, and within the sweep period (+ event loop slack) after it.
      expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
      expect(Math.max(...lifetimes)).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 3000);
      const m = await server.metrics();
      expect(metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'HANDSHAKE_TIMEOUT' })).toBe(SLOW_CONNECTIONS);
      expect(pub.running(), pub.stderr().slice(-2000)).toBe(true);
      expect(metricValue(m, 'rtmpc_rtmp_publishers')).toBe(1);
    } finally {
      slow.stop();
      await pub.stop();
    }
  }, 120_000);

  it('with the default per-address rate limit the same burst is refused at accept, and a real player still gets in later', async () => {
    const slow = await openSlowClients(defaults.rtmpPort, SLOW_CONNECTIONS);
    try {
      await waitAllClosed(slow.clients, HANDSHAKE_TIMEOUT_MS + 10_000);
      const m = await defaults.metrics();
      const limited = metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'CONNECTION_RATE_LIMITED' });
      const timedOut = metricValue(m, 'rtmpc_rtmp_connections_closed_total', { reason: 'HANDSHAKE_TIMEOUT' });
      // Burst 100 plus 50/s while the batches connect: the large majority is refused outright.
      expect(limited).toBeGreaterThan(SLOW_CONNECTIONS * 0.8);
      expect(limited + timedOut).toBe(SLOW_CONNECTIONS);
      expect(metricValue(m, 'rtmpc_rtmp_connections_refused_total')).toBe(limited);
    } finally {
      slow.stop();
    }
    // The bucket refills: a publisher and a player from the same address work right after.
    await new Promise((r) => setTimeout(r, 1000));
    const pub = ffmpegPublish(procs, flv, defaults.url('/live/after'), { loop: true, timeoutMs: 60_000 });
    try {
      const deadline = Date.now() + 10_000;
      while (metricValue(await defaults.metrics(), 'rtmpc_streams_live') < 1) {
        if (Date.now() > deadline) throw new Error(`publisher not live: ${pub.stderr().slice(-1000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const probe = await ffprobeStreams(procs, defaults.url('/live/after'), { seconds: 2 });
      expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    } finally {
      await pub.stop();
    }
  }, 120_000);
});

/**
 * PROXY protocol against the built executable, with a real HAProxy (send-proxy-v2) in front of it.
 * - 300 players arriving within about a second through HAProxy: without the PROXY protocol they are one
 *   address and the per-address rate limit (50/s, burst 100) refuses about half; with it every player is
 *   counted under the address HAProxy names (here derived from the player's source port, so that they
 *   differ as real viewers' would) and none is refused. ListSessions shows those addresses.
 * - 'optional': a trusted peer that sends no header (ffmpeg publishing straight to the node) still works.
 * - A header from a peer that is not trusted closes the connection (no spoofing); plain RTMP from it works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, unary } from '../control/support/grpc.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish, ffmpegRecord, ffprobeStreams, type ClientProcess } from '../support/rtmp-clients.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { metricValue, startChildNode, type ChildNode } from './support/childNode.js';
import { RawSession } from './support/rawSession.js';
import { makeSelfSignedCert } from './support/tlsCert.js';

const TOKEN = 'proxy-protocol-test-token-0123456789';
const PLAYERS = 300;

/** A v2 PROXY header (PROXY, TCP over IPv4) naming `src`:`srcPort`. */
function proxyV2(src: string, srcPort: number): Buffer {
  const h = Buffer.alloc(28);
  Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]).copy(h, 0);
  h[12] = 0x21;
  h[13] = 0x11;
  h.writeUInt16BE(12, 14);
  src.split('.').forEach((b, i) => (h[16 + i] = Number(b)));
  [127, 0, 0, 1].forEach((b, i) => (h[20 + i] = b));
  h.writeUInt16BE(srcPort, 24);
  h.writeUInt16BE(1935, 26);
  return h;
}

describe('PROXY protocol behind a real HAProxy', () => {
  const procs = new ClientProcesses();
  const players: TestRtmpClient[] = [];
  let tmp: string;
  let flv: string;
  let node: ChildNode;
  let untrustedNode: ChildNode;
  let grpcPort: number;
  let lbPort: number;
  let lbTlsPort: number;
  let haproxy: ClientProcess;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-proxy-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    grpcPort = await freePort();
    const cert = await makeSelfSignedCert(tmp, 'node');
    const rtmpsPort = await freePort();
    [node, untrustedNode] = await Promise.all([
      // shipped per-address defaults: 1000 connections, 50 new/s, burst 100
      startChildNode(procs, {
        RTMPC_PROXY_PROTOCOL: 'optional',
        RTMPC_PROXY_TRUSTED_CIDRS: '127.0.0.1/32',
        RTMPC_CONTROL_TOKEN: TOKEN,
        RTMPC_GRPC_HOST: '127.0.0.1',
        RTMPC_GRPC_PORT: String(grpcPort),
        RTMPC_TLS_CERT_FILE: cert.certFile,
        RTMPC_TLS_KEY_FILE: cert.keyFile,
        RTMPC_RTMPS_PORT: String(rtmpsPort),
      }),
      startChildNode(procs, { RTMPC_PROXY_PROTOCOL: 'optional', RTMPC_PROXY_TRUSTED_CIDRS: '10.9.9.9/32' }),
    ]);
    lbPort = await freePort();
    lbTlsPort = await freePort();
    const cfg = path.join(tmp, 'haproxy.cfg');
    fs.writeFileSync(
      cfg,
      [
        'global',
        '    maxconn 2000',
        'defaults',
        '    mode tcp',
        '    timeout connect 3s',
        '    timeout client 1h',
        '    timeout server 1h',
        'frontend rtmp',
        `    bind 127.0.0.1:${lbPort}`,
        // Every test player comes from 127.0.0.1: name each by its source port (10.0.x.y), as distinct
        // viewers would be, in the header HAProxy sends.
        '    tcp-request connection set-src src_port,add(167772160)',
        '    default_backend node',
        'backend node',
        `    server n1 127.0.0.1:${node.rtmpPort} send-proxy-v2`,
        // RTMPS passes through as TCP: the header goes before the TLS handshake
        'frontend rtmps',
        `    bind 127.0.0.1:${lbTlsPort}`,
        '    tcp-request connection set-src src_port,add(167772160)',
        '    default_backend node_tls',
        'backend node_tls',
        `    server n1 127.0.0.1:${rtmpsPort} send-proxy-v2`,
        '',
      ].join('\n'),
    );
    haproxy = procs.spawn('haproxy', ['-db', '-f', cfg], { timeoutMs: 300_000 });
    await waitFor(
      async () => {
        if (!haproxy.running()) throw new Error(`haproxy exited: ${haproxy.stderr()}`);
        return (await RawSession.open(lbPort, { timeoutMs: 2000 }).then((s) => (s.destroy(), true)).catch(() => false)) as boolean;
      },
      10_000,
      'haproxy forwarding',
      100,
    );
  });

  afterAll(async () => {
    for (const p of players) p.close();
    await procs.stopAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`${PLAYERS} players from one host through HAProxy pass the per-address limits under their own addresses`, async () => {
    // A trusted peer without a header ('optional'): ffmpeg publishes straight to the node.
    const pub = ffmpegPublish(procs, flv, node.url('/live/lb'), { loop: true, timeoutMs: 120_000 });
    await waitFor(async () => metricValue(await node.metrics(), 'rtmpc_streams_live') >= 1, 15_000, 'publisher live', 100);
    const refusedBefore = metricValue(await node.metrics(), 'rtmpc_rtmp_connections_refused_total');
    const started = Date.now();
    for (let i = 0; i < PLAYERS; i++) {
      players.push(TestRtmpClient.startPlayer(`rtmp://127.0.0.1:${lbPort}/live/lb`, { record: false }));
      if (i % 50 === 49) await sleep(100);
    }
    const arrivedWithinMs = Date.now() - started;
    await Promise.all(players.map((p) => p.until(() => p.mediaCount.video >= 10, 60_000, 'frames through HAProxy')));
    console.log(`proxy protocol: ${PLAYERS} players opened within ${arrivedWithinMs} ms, all playing after ${Date.now() - started} ms`);
    expect(arrivedWithinMs).toBeLessThan(2000);
    const m = await node.metrics();
    expect(metricValue(m, 'rtmpc_rtmp_connections_refused_total') - refusedBefore).toBe(0);
    expect(metricValue(m, 'rtmpc_rtmp_players')).toBe(PLAYERS);

    // ListSessions names each player by the address HAProxy gave, not HAProxy's own.
    const c = controlClient(`127.0.0.1:${grpcPort}`, TOKEN);
    try {
      const reply = await unary<{ sessions: Array<{ remoteAddress?: string; remote_address?: string; kind: unknown }> }>(c, 'ListSessions', {});
      const addresses = reply.sessions.map((s) => s.remoteAddress ?? s.remote_address ?? '');
      const viaProxy = addresses.filter((a) => a.startsWith('10.0.'));
      expect(viaProxy.length).toBe(PLAYERS);
      expect(new Set(viaProxy.map((a) => a.split(':')[0])).size).toBe(PLAYERS);
      // the one direct connection: ffmpeg's
      expect(addresses.filter((a) => a.startsWith('127.0.0.1:'))).toHaveLength(1);
    } finally {
      c.close();
    }
    expect(pub.running(), pub.stderr().slice(-2000)).toBe(true);
    for (const p of players.splice(0)) p.close();
    await pub.stop();
  }, 180_000);

  it('RTMPS through HAProxy: the header before TLS names the player; ffprobe plays, ListSessions shows its address', async () => {
    const pub = ffmpegPublish(procs, flv, node.url('/live/tls'), { loop: true, timeoutMs: 120_000 });
    await waitFor(async () => metricValue(await node.metrics(), 'rtmpc_streams_live') >= 1, 15_000, 'publisher live', 100);
    const url = `rtmps://127.0.0.1:${lbTlsPort}/live/tls`;
    const probe = await ffprobeStreams(procs, url, { seconds: 2 });
    expect(probe.streams.map((s) => s.codec_name).sort(), probe.result.stderr).toEqual(['aac', 'h264']);
    const rec = ffmpegRecord(procs, url, path.join(tmp, 'tls.flv'), 20);
    const c = controlClient(`127.0.0.1:${grpcPort}`, TOKEN);
    try {
      await waitFor(
        async () => {
          const reply = await unary<{ sessions: Array<{ remoteAddress?: string; protocol?: string }> }>(c, 'ListSessions', {});
          return reply.sessions.some((s) => s.protocol === 'rtmps' && (s.remoteAddress ?? '').startsWith('10.0.'));
        },
        15_000,
        'rtmps session listed under the address HAProxy named',
        200,
      );
    } finally {
      c.close();
      await rec.stop();
      await pub.stop();
    }
  });

  it('a PROXY header from a peer that is not trusted closes the connection; plain RTMP from it works', async () => {
    const spoofer = await RawSession.open(untrustedNode.rtmpPort, { prefix: proxyV2('203.0.113.9', 4444), timeoutMs: 3000 }).catch((err: Error) => err);
    expect(spoofer).toBeInstanceOf(Error);
    await waitFor(
      async () => metricValue(await untrustedNode.metrics(), 'rtmpc_rtmp_connections_closed_total', { reason: 'PROXY_PROTOCOL_ERROR' }) === 1,
      5000,
      'refusal counted',
      50,
    );
    expect(untrustedNode.proc.stdout()).toMatch(/PROXY header from 127\.0\.0\.1, which is not a trusted proxy/);
    const plain = await RawSession.open(untrustedNode.rtmpPort);
    await plain.connect('live');
    expect(plain.isClosed).toBe(false);
    plain.destroy();
  });
});

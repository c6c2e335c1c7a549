/**
 * The web listener behind a TCP load balancer that speaks the PROXY protocol (RTMPC_WEB_PROXY_PROTOCOL), on the
 * shipped executable: an HTTP-FLV viewer whose connection starts with a hand-written PROXY v2 header is listed by
 * ListSessions under the address the header named, logged under it, and counted under it by the per-address
 * connection limit (a second viewer from that address is refused, one from another address behind the same
 * balancer is not).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, eventually, unary, type Any } from '../control/support/grpc.js';
import { spawnAllInOne, type ExecutableNode } from '../support/executable.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';

const TOKEN = 'web-proxy-protocol-token';
const procs = new ClientProcesses();
let node: ExecutableNode;
const sockets: net.Socket[] = [];

/** PROXY v2, TCP over IPv4, from `src`:`port` to 127.0.0.1:8000 */
function proxyV2(src: string, port: number): Buffer {
  const addrs = Buffer.alloc(12);
  src.split('.').forEach((o, i) => addrs.writeUInt8(Number(o), i));
  [127, 0, 0, 1].forEach((o, i) => addrs.writeUInt8(o, 4 + i));
  addrs.writeUInt16BE(port, 8);
  addrs.writeUInt16BE(8000, 10);
  return Buffer.concat([Buffer.from('0d0a0d0a000d0a515549540a', 'hex'), Buffer.from([0x21, 0x11, 0x00, 12]), addrs]);
}

/** A viewer through the "balancer": the header, then GET /live/cam.flv; resolves with the status line once it arrives. */
function viewer(src: string, port: number): Promise<{ status: number; socket: net.Socket; bytes: () => number }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let total = 0;
    let settled = false;
    const socket = net.connect(node.web, '127.0.0.1', () => {
      socket.write(Buffer.concat([proxyV2(src, port), Buffer.from('GET /live/cam.flv HTTP/1.1\r\nhost: edge\r\n\r\n')]));
    });
    sockets.push(socket);
    socket.on('data', (d: Buffer) => {
      total += d.length;
      if (settled) return;
      received = Buffer.concat([received, d]);
      if (received.includes('\r\n')) {
        settled = true;
        resolve({ status: Number(received.subarray(9, 12).toString()), socket, bytes: () => total });
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (!settled) reject(new Error(`closed without an answer: ${received.toString()}`));
    });
  });
}

beforeAll(async () => {
  const flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 25, gop: 25 });
  node = await spawnAllInOne(procs, {
    RTMPC_NODE_ID: 'web-proxy-1',
    RTMPC_CONTROL_TOKEN: TOKEN,
    RTMPC_WEB_PROXY_PROTOCOL: 'optional',
    RTMPC_PROXY_TRUSTED_CIDRS: '127.0.0.1/32',
    RTMPC_MAX_CONNECTIONS_PER_IP: '1',
  });
  await waitFor(async () => (await node.status('/readyz').catch(() => 0)) === 200, 20_000, 'node ready');
  ffmpegPublish(procs, flv, `rtmp://127.0.0.1:${node.rtmp}/live/cam`, { loop: true, timeoutMs: 60_000 });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await procs.stopAll();
});

describe('web listener behind a PROXY protocol balancer', () => {
  it('ListSessions, logs and per-address limits see the address the header named', async () => {
    const first = await eventually('the stream served to a proxied viewer', async () => {
      const v = await viewer('198.51.100.23', 50123).catch(() => undefined);
      if (v?.status === 200) return v;
      v?.socket.destroy();
      return undefined;
    }, 20_000);
    await waitFor(() => first.bytes() > 20_000, 10_000, 'FLV bytes to the proxied viewer');

    const c = controlClient(`127.0.0.1:${node.grpc}`, TOKEN);
    const listed = await eventually('the proxied viewer listed', async () => {
      const r = await unary(c, 'ListSessions', { stream: 'live/cam' });
      return (r.sessions as Any[]).find((s) => s.protocol === 'http-flv');
    });
    expect(listed.remoteAddress).toBe('198.51.100.23:50123');

    // the limit (1 per address) counts the proxied client, not the balancer every connection comes from
    const again = await viewer('198.51.100.23', 50124);
    expect(again.status).toBe(429);
    const other = await viewer('198.51.100.24', 50125);
    expect(other.status).toBe(200);

    // logged under the proxied addresses; the refused connection's request was not played
    const logged = (pred: (l: Record<string, unknown>) => boolean): boolean =>
      node.proc.stdout().split('\n').some((l) => {
        try {
          return pred(JSON.parse(l) as Record<string, unknown>);
        } catch {
          return false;
        }
      });
    await waitFor(() => logged((l) => l.remote === '198.51.100.24' && l.msg === 'http-flv viewer started'), 5000, 'the second address logged');
    expect(logged((l) => l.remote === '198.51.100.23' && l.limit === 'perIp')).toBe(true);
    const started = node.proc.stdout().split('\n').filter((l) => l.includes('http-flv viewer started'));
    expect(started.filter((l) => l.includes('"remote":"198.51.100.23"')), started.join('\n')).toHaveLength(1);
    // a header from a peer that is not a trusted balancer: connection closed, counted
    const spoofed = await new Promise<string>((resolve) => {
      const sock = net.connect({ port: node.web, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => sock.write(proxyV2('192.0.2.1', 1)));
      let got = '';
      sock.on('data', (d: Buffer) => (got += d.toString()));
      sock.on('error', () => undefined);
      sock.on('close', () => resolve(got));
    });
    expect(spoofed).toBe('');
    const metrics = await (await fetch(`http://127.0.0.1:${node.http}/metrics`)).text();
    expect(metrics).toContain('rtmpc_web_refused_total{reason="proxyHeader"} 1');
    expect(metrics).toMatch(/rtmpc_web_refused_total\{reason="perIp"\} 1\b/);
    const after = await unary(c, 'ListSessions', { stream: 'live/cam' });
    expect((after.sessions as Any[]).filter((s) => s.protocol === 'http-flv').map((s) => String(s.remoteAddress).split(':')[0]).sort()).toEqual(['198.51.100.23', '198.51.100.24']);
  });
});

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { StreamHub } from '@rtmp-cluster/media';
import { AllowAllAccessPolicy, type AccessDecision, type PlayRequest, type StreamAccessPolicy } from '@rtmp-cluster/server';
import { CidrList } from '@rtmp-cluster/core';
import { WebService, WebError, type WebServiceOptions } from '@rtmp-cluster/web';

const services: WebService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

async function start(over: Partial<WebServiceOptions> = {}): Promise<{ web: WebService; url: (p: string) => string }> {
  const web = new WebService({ hub: new StreamHub(), policy: new AllowAllAccessPolicy(), playWaitMs: 300, logger: pino({ level: 'silent' }), ...over });
  // A probe route: what the listener resolved for the request, and a play through the gate.
  web.router.add({
    name: 'probe',
    pattern: /^\/probe\/(?<app>[^/]+)\/(?<name>[^/]+)$/,
    async handle(ctx) {
      const grant = await web.gate.open(ctx, ctx.params['app']!, ctx.params['name']!);
      grant.release();
      ctx.res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ clientIp: ctx.clientIp, key: grant.key }));
    },
  });
  services.push(web);
  const a = await web.listen(0, '127.0.0.1');
  return { web, url: (p) => `http://127.0.0.1:${a.port}${p}` };
}

describe('web listener', () => {
  it('answers unknown paths 404, other methods 405, bad encoding 400, OPTIONS with CORS', async () => {
    const { url } = await start();
    expect((await fetch(url('/nothing/here.txt'))).status).toBe(404);
    expect((await fetch(url('/probe/live/x'), { method: 'POST' })).status).toBe(405);
    expect((await fetch(url('/probe/%E0%A4%A/x'))).status).toBe(400);
    const pre = await fetch(url('/probe/live/x'), {
      method: 'OPTIONS',
      headers: { origin: 'https://player.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('GET');
    expect(pre.headers.get('access-control-allow-headers')).toBe('range');
  });

  it('a stream nobody publishes is 404 after the publisher wait', async () => {
    const { url } = await start({ playWaitMs: 400 });
    const t0 = Date.now();
    const res = await fetch(url('/probe/live/ghost'), { headers: { origin: 'https://a.example' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toContain('No publisher for live/ghost within 400 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });

  it('a stream that starts during the wait is served', async () => {
    const { web, url } = await start({ playWaitMs: 3000 });
    const pending = fetch(url('/probe/live/late'));
    setTimeout(() => web.hub.publish('live/late', { id: 'pub', close: () => undefined }), 200);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: 'live/late' });
  });

  it('RTMPC_WEB_ALLOWED_ORIGINS narrows CORS: other origins get 403, listed ones their origin echoed', async () => {
    const { web, url } = await start({ allowedOrigins: ['https://good.example'] });
    web.hub.publish('live/x', { id: 'pub', close: () => undefined });
    const bad = await fetch(url('/probe/live/x'), { headers: { origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    const good = await fetch(url('/probe/live/x'), { headers: { origin: 'https://good.example' } });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://good.example');
    expect((await fetch(url('/probe/live/x'))).status).toBe(200); // no Origin: not a page
  });

  it('believes X-Forwarded-For only from trusted proxies', async () => {
    const { web, url } = await start({ trustedProxies: new CidrList(['127.0.0.0/8']) });
    web.hub.publish('live/x', { id: 'pub', close: () => undefined });
    const via = await fetch(url('/probe/live/x'), { headers: { 'x-forwarded-for': '203.0.113.9, 127.0.0.5' } });
    expect(((await via.json()) as { clientIp: string }).clientIp).toBe('203.0.113.9');
    const { web: w2, url: u2 } = await start();
    w2.hub.publish('live/x', { id: 'pub', close: () => undefined });
    const direct = await fetch(u2('/probe/live/x'), { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(((await direct.json()) as { clientIp: string }).clientIp).toBe('127.0.0.1');
  });

  it('play auth refusals come back as 403 with the policy description, and nothing is subscribed', async () => {
    const seen: PlayRequest[] = [];
    const policy: StreamAccessPolicy = {
      onPublishRequest: async () => ({ allow: true }),
      onPlayRequest: async (req): Promise<AccessDecision> => {
        seen.push(req);
        return req.query['token'] === 'good' ? { allow: true } : { allow: false, statusCode: 'NetStream.Play.Unauthorized', description: 'bad token' };
      },
    };
    const { web, url } = await start({ policy });
    web.hub.publish('live/x', { id: 'pub', close: () => undefined });
    const denied = await fetch(url('/probe/live/x?token=nope'));
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain('bad token');
    expect((await fetch(url('/probe/live/x?token=good'))).status).toBe(200);
    expect(seen[0]).toMatchObject({ app: 'live', name: 'x', key: 'live/x', query: { token: 'nope' }, clientIp: '127.0.0.1' });
  });

  it('per-address connection limits answer 429', async () => {
    const { url } = await start({ connectionRatePerIp: 1, connectionBurstPerIp: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      // A fresh connection each time: the limit counts connections, as for RTMP.
      statuses.push((await fetch(url('/nothing'), { headers: { connection: 'close' } })).status);
    }
    expect(statuses.slice(0, 2)).toEqual([404, 404]);
    expect(statuses.slice(2)).toContain(429);
    expect(new WebError('TOO_MANY_REQUESTS', 'x').status).toBe(429);
  });

  describe('PROXY protocol (RTMPC_WEB_PROXY_PROTOCOL)', () => {
    /** A PROXY v2 header for a TCP over IPv4 connection from `src`:`port`. */
    function proxyV2(src: string, port: number): Buffer {
      const sig = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
      const body = Buffer.alloc(12);
      src.split('.').forEach((o, i) => body.writeUInt8(Number(o), i));
      [127, 0, 0, 1].forEach((o, i) => body.writeUInt8(o, 4 + i));
      body.writeUInt16BE(port, 8);
      body.writeUInt16BE(8000, 10);
      return Buffer.concat([sig, Buffer.from([0x21, 0x11, 0x00, 12]), body]);
    }

    /** Opens a raw connection, sends `preface` and a GET of `path`; resolves with the status and body (or 'closed'). */
    function rawGet(port: number, preface: Buffer | string, path: string, keepOpen = false): Promise<{ status: number; body: string; socket: net.Socket } | 'closed'> {
      return new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(preface);
          socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n${keepOpen ? '' : 'connection: close\r\n'}\r\n`);
        });
        let text = '';
        const answer = (): { status: number; body: string; socket: net.Socket } => {
          const end = text.indexOf('\r\n\r\n');
          let body = text.slice(end + 4);
          if (/transfer-encoding: chunked/i.test(text.slice(0, end))) {
            let plain = '';
            for (let at = 0; ; ) {
              const eol = body.indexOf('\r\n', at);
              const size = parseInt(body.slice(at, eol), 16);
              if (!(size > 0)) break;
              plain += body.slice(eol + 2, eol + 2 + size);
              at = eol + 4 + size;
            }
            body = plain;
          }
          return { status: Number(text.slice(9, 12)), body, socket };
        };
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          const end = text.indexOf('\r\n\r\n');
          const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN);
          if (end >= 0 && (text.length >= end + 4 + length || text.endsWith('\r\n0\r\n\r\n'))) resolve(answer());
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(text === '' ? 'closed' : answer()));
      });
    }

    it('a trusted balancer\'s v1 or v2 header names the client: clientIp, per-address limits', async () => {
      const { web, url } = await start({ proxyProtocol: { mode: 'optional', trusted: new CidrList(['127.0.0.0/8']) }, maxConnectionsPerIp: 1 });
      web.hub.publish('live/x', { id: 'pub', close: () => undefined });
      const port = Number(new URL(url('/')).port);
      const v1 = await rawGet(port, 'PROXY TCP4 198.51.100.7 127.0.0.1 40000 8000\r\n', '/probe/live/x');
      expect(v1 !== 'closed' && v1.status).toBe(200);
      expect(v1 !== 'closed' && JSON.parse(v1.body)).toMatchObject({ clientIp: '198.51.100.7' });
      // One connection per address: 203.0.113.5 holds one open (keep-alive), a second from it is refused,
      // while another client behind the same balancer (and the balancer itself, with no header) is served.
      const held = await rawGet(port, proxyV2('203.0.113.5', 41000), '/probe/live/x', true);
      expect(held !== 'closed' && JSON.parse(held.body)).toMatchObject({ clientIp: '203.0.113.5' });
      const second = await rawGet(port, proxyV2('203.0.113.5', 41001), '/probe/live/x');
      expect(second !== 'closed' && second.status).toBe(429);
      expect(second !== 'closed' && second.body).toContain('too many connections from 203.0.113.5');
      const other = await rawGet(port, proxyV2('203.0.113.6', 41002), '/probe/live/x');
      expect(other !== 'closed' && other.status).toBe(200);
      expect((await fetch(url('/probe/live/x'), { headers: { connection: 'close' } })).status).toBe(200);
      if (held !== 'closed') held.socket.destroy();
    });

    it('a header from a peer that is not trusted, or none where one is required, closes the connection', async () => {
      const untrusted = await start({ proxyProtocol: { mode: 'optional', trusted: new CidrList(['10.0.0.0/8']) } });
      const port = Number(new URL(untrusted.url('/')).port);
      expect(await rawGet(port, 'PROXY TCP4 198.51.100.7 127.0.0.1 40000 8000\r\n', '/nothing')).toBe('closed');
      expect(untrusted.web.server.refusedProxyHeaders).toBe(1);
      // optional: a peer may also send plain HTTP
      expect((await fetch(untrusted.url('/nothing'))).status).toBe(404);
      const required = await start({ proxyProtocol: { mode: 'required', trusted: new CidrList(['127.0.0.0/8']) } });
      await expect(fetch(required.url('/nothing'))).rejects.toThrow();
    });
  });

  it("the /play page gives hls.js a target a part inside this node's PART-HOLD-BACK (two parts at least) and jumps back two parts past it", async () => {
    const config = async (over: Partial<WebServiceOptions>): Promise<{ hlsPlayer: Record<string, number | boolean>; flvPlayer: Record<string, unknown> }> => {
      const { url } = await start(over);
      const html = await (await fetch(url('/play/live/cam1'))).text();
      return JSON.parse(/const cfg = (\{.*\});/.exec(html)![1]!);
    };
    const two = await config({ hls: { segmentation: { partMs: 250, segmentMs: 1000 }, partHoldBackParts: 2 } });
    expect(two.hlsPlayer).toMatchObject({ lowLatencyMode: true, liveSyncDuration: 0.5, liveMaxLatencyDuration: 1 });
    const three = await config({ hls: { partHoldBackParts: 3 } });
    expect(three.hlsPlayer).toMatchObject({ liveSyncDuration: 0.4, liveMaxLatencyDuration: 1, enableWorker: false });
    expect(three.flvPlayer).toMatchObject({ enableStashBuffer: false, liveSync: true });
  });
});

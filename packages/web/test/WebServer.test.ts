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
});

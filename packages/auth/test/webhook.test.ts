import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessPolicy, WebhookClient, type AccessPolicyConfig, type AccessRequest } from '../src/index.js';

/** A real HTTP webhook on 127.0.0.1; each test sets how it answers and reads what it received. */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
type Responder = (res: http.ServerResponse, body: Record<string, unknown>) => void;

let server: http.Server;
let baseUrl: string;
let received: Received[] = [];
let respond: Responder = (res) => res.writeHead(204).end();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      respond(res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  respond = (res) => res.writeHead(204).end();
});

function config(over: Partial<NonNullable<AccessPolicyConfig['webhook']>> = {}): AccessPolicyConfig {
  return {
    publish: { mode: 'webhook' },
    play: { mode: 'none', apps: { paid: 'webhook' } },
    webhook: { url: `${baseUrl}/on_publish?secret=hook-secret-value`, timeoutMs: 300, ...over },
  };
}

const request: AccessRequest = {
  app: 'live',
  name: 'cam1',
  query: { key: 'abc', extra: '1' },
  appQuery: { region: 'eu' },
  tcUrl: 'rtmp://127.0.0.1:1935/live?region=eu',
  clientIp: '10.1.2.3',
};

function json(status: number, body: unknown): Responder {
  return (res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('webhook decisions against a real HTTP server', () => {
  it('POSTs the request as JSON and allows on 2xx', async () => {
    const policy = new AccessPolicy(
      { ...config({ headers: { authorization: 'Bearer hook-token' } }) },
      { nodeId: 'origin-7' },
    );
    const d = await policy.authorizePublish(request);
    expect(d).toMatchObject({ allowed: true, via: 'webhook', reason: 'webhook allowed (HTTP 204)' });
    expect(received).toHaveLength(1);
    const got = received[0]!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/on_publish?secret=hook-secret-value');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['authorization']).toBe('Bearer hook-token');
    // Every field of the request, as the server parsed it, plus the action and this node.
    expect(got.body).toEqual({ action: 'publish', ...request, nodeId: 'origin-7' });
  });

  it('asks for play only in apps configured for it', async () => {
    const policy = new AccessPolicy(config());
    expect(await policy.authorizePlay(request)).toMatchObject({ allowed: true, via: 'none' });
    expect(received).toHaveLength(0);
    respond = json(403, { reason: 'subscription ended' });
    const d = await policy.authorizePlay({ ...request, app: 'paid' });
    expect(d).toMatchObject({ allowed: false, code: 'NetStream.Play.Unauthorized', reasonCode: 'webhook_denied' });
    expect(received.map((r) => (r.body as { action: string }).action)).toEqual(['play']);
  });

  it('denies with the webhook reason (4xx, or 2xx with allow:false)', async () => {
    const policy = new AccessPolicy(config());
    respond = json(403, { reason: 'stream key revoked' });
    const a = await policy.authorizePublish(request);
    expect(a).toMatchObject({
      allowed: false,
      code: 'NetStream.Publish.Unauthorized',
      reasonCode: 'webhook_denied',
      reason: 'webhook denied (HTTP 403): stream key revoked',
      description: 'Publishing refused: stream key revoked',
    });
    respond = json(200, { allow: false, reason: 'line1\nline2\u0000' });
    const b = await policy.authorizePublish(request);
    expect(b).toMatchObject({ allowed: false, reason: 'webhook denied (HTTP 200): line1 line2' });
    respond = (res) => res.writeHead(401).end('not json');
    const c = await policy.authorizePublish(request);
    expect(c).toMatchObject({ allowed: false, reasonCode: 'webhook_denied', description: 'Publishing refused: HTTP 401' });
  });

  it('500 denies when fail-closed (default) and allows when fail-open', async () => {
    respond = json(500, { reason: 'db down' });
    const closed = await new AccessPolicy(config()).authorizePublish(request);
    expect(closed).toMatchObject({
      allowed: false,
      reasonCode: 'webhook_failed',
      reason: 'webhook answered HTTP 500: db down; denied (fail-closed)',
      description: 'Publishing refused: authorization service unavailable',
    });
    const open = await new AccessPolicy(config({ failOpen: true })).authorizePublish(request);
    expect(open).toMatchObject({ allowed: true, via: 'webhook', reason: 'webhook answered HTTP 500: db down; allowed because webhook.failOpen' });
  });

  it('a slow webhook times out: deny when fail-closed, allow when fail-open', async () => {
    const pending: http.ServerResponse[] = [];
    respond = (res) => pending.push(res); // never answers
    try {
      const started = Date.now();
      const closed = await new AccessPolicy(config({ timeoutMs: 200 })).authorizePublish(request);
      const elapsed = Date.now() - started;
      expect(closed).toMatchObject({ allowed: false, reasonCode: 'webhook_failed', reason: 'webhook timed out after 200 ms; denied (fail-closed)' });
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(2000);
      const open = await new AccessPolicy(config({ timeoutMs: 200, failOpen: true })).authorizePublish(request);
      expect(open).toMatchObject({ allowed: true, reason: 'webhook timed out after 200 ms; allowed because webhook.failOpen' });
    } finally {
      for (const res of pending) res.destroy();
    }
  });

  it('a webhook that stalls after the headers still times out', async () => {
    const pending: http.ServerResponse[] = [];
    respond = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"allow":');
      pending.push(res);
    };
    try {
      const d = await new AccessPolicy(config({ timeoutMs: 200 })).authorizePublish(request);
      expect(d).toMatchObject({ allowed: false, reasonCode: 'webhook_failed' });
    } finally {
      for (const res of pending) res.destroy();
    }
  });

  it('an unreachable webhook is a failure, not a crash', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = http.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const d = await new AccessPolicy({ publish: { mode: 'webhook' }, webhook: { url: `http://127.0.0.1:${closedPort}/hook` } }).authorizePublish(
      request,
    );
    expect(d).toMatchObject({ allowed: false, reasonCode: 'webhook_failed', reason: 'webhook request failed: ECONNREFUSED; denied (fail-closed)' });
    expect(JSON.stringify(d)).not.toContain('hook-secret-value');
  });

  it('an oversized response body is not buffered and counts as a failed call', async () => {
    // Read in full this would be a plain allow (whitespace body); the cap must turn it into a failure.
    respond = (res) => res.writeHead(200).end(Buffer.alloc(256 * 1024, 0x20));
    const client = new WebhookClient({ url: `${baseUrl}/big`, timeoutMs: 1000 });
    const body = { action: 'publish' as const, app: 'live', name: 'x', query: {}, appQuery: {}, tcUrl: null, clientIp: '127.0.0.1', nodeId: null };
    expect(await client.ask(body)).toEqual({ kind: 'failed', status: 200, reason: 'webhook response body exceeds 65536 bytes' });
    respond = (res) => res.writeHead(200).end(Buffer.alloc(60 * 1024, 0x20));
    expect(await client.ask(body)).toEqual({ kind: 'answered', allow: true, status: 200, reason: undefined });
  });
});

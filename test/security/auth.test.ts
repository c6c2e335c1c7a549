/**
 * Publish and play auth with real clients against an all-in-one node configured like an operator would
 * (the `auth` config section): ffmpeg with a wrong or expired token is refused with a readable
 * "Server error: ..." and exits non-zero, never seeing Publish.Start; a token minted by `rtmp-cluster sign`
 * publishes; a signed playback URL plays in ffprobe while the bare URL is refused; a local webhook decides.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { signStreamToken } from '@rtmp-cluster/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { CLI, signWithCli } from '../support/executable.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { startTestNode, waitLive, type TestNode } from '../e2e/support/testNode.js';

const SECRET = 'publish-signing-secret-0123456789';

describe('publish and play auth with real clients', () => {
  const procs = new ClientProcesses();
  let t: TestNode;
  let flv: string;

  beforeAll(async () => {
    expect(fs.existsSync(CLI), `${CLI} missing: run npm run build first`).toBe(true);
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    t = await startTestNode({
      auth: {
        publish: { mode: 'token' },
        play: { mode: 'none', apps: { premium: 'token' } },
        keys: [{ id: 'k1', secret: SECRET }],
      },
    });
  });

  afterAll(async () => {
    await procs.stopAll();
    await t?.stop();
  });

  function publishLogged(key: string): boolean {
    return t.logs.some((l) => l.stream === key && l.msg === 'publish started');
  }

  function sign(args: string[]): Promise<string> {
    return signWithCli(procs, SECRET, args);
  }

  it('refuses a wrong token: ffmpeg prints the description and exits non-zero, the connection is closed', async () => {
    const forged = `k1.${Math.floor(Date.now() / 1000) + 3600}.${'A'.repeat(43)}`;
    const r = await ffmpegPublish(procs, flv, t.url(`/live/cam1?token=${forged}`), { timeoutMs: 20_000 }).exited;
    expect(r.timedOut).toBe(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Server error: Publishing refused: invalid token');
    const closed = await t.waitForClose((e) => e.reason === 'ACCESS_DENIED' && e.message.includes('live/cam1'));
    expect(closed.errorCode).toBe('NetStream.Publish.Unauthorized');
    expect(publishLogged('live/cam1')).toBe(false);
    expect(t.logs.some((l) => l.reasonCode === 'bad_signature' && String(l.msg).startsWith('publish denied'))).toBe(true);
  });

  it('refuses an expired token and a missing one with their own descriptions', async () => {
    const expired = signStreamToken({ action: 'publish', app: 'live', name: 'cam2', keyId: 'k1', secret: SECRET, expiresAt: Math.floor(Date.now() / 1000) - 600 });
    const [a, b] = await Promise.all([
      ffmpegPublish(procs, flv, t.url(`/live/cam2?token=${expired}`), { timeoutMs: 20_000 }).exited,
      ffmpegPublish(procs, flv, t.url('/live/cam3'), { timeoutMs: 20_000 }).exited,
    ]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain('Server error: Publishing refused: token expired');
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain('Server error: Publishing refused: authorization required');
    expect(publishLogged('live/cam2') || publishLogged('live/cam3')).toBe(false);
    expect(t.node.hub.isLive('live/cam2') || t.node.hub.isLive('live/cam3')).toBe(false);
  });

  it('a token minted by `rtmp-cluster sign` publishes; it does not work for another stream name', async () => {
    const token = await sign(['--action', 'publish', '--app', 'live', '--name', 'good', '--ttl', '600']);
    expect(token).toMatch(/^k1\.\d+\.[A-Za-z0-9_-]{43}$/);
    const other = await ffmpegPublish(procs, flv, t.url(`/live/other?token=${token}`), { timeoutMs: 20_000 }).exited;
    expect(other.stderr).toContain('Server error: Publishing refused: invalid token');
    const pub = ffmpegPublish(procs, flv, t.url(`/live/good?token=${token}`), { loop: true, timeoutMs: 40_000 });
    await waitLive(t, 'live/good', 10_000);
    expect(publishLogged('live/good')).toBe(true);
    // Players of the open app need nothing.
    const probe = await ffprobeStreams(procs, t.url('/live/good'), { seconds: 2 });
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    await pub.stop();
  });

  it('plays a premium stream only with a signed playback URL', async () => {
    const pubToken = signStreamToken({ action: 'publish', app: 'premium', name: 'show', keyId: 'k1', secret: SECRET, ttlSeconds: 600 });
    const pub = ffmpegPublish(procs, flv, t.url(`/premium/show?token=${pubToken}`), { loop: true, timeoutMs: 40_000 });
    await waitLive(t, 'premium/show', 10_000);
    const base = t.url('');
    const signedUrl = await sign(['--action', 'play', '--app', 'premium', '--name', 'show', '--ttl', '300', '--url', base]);
    expect(signedUrl.startsWith(`${base}/premium/show?token=k1.`)).toBe(true);
    const [ok, bare] = await Promise.all([
      ffprobeStreams(procs, signedUrl, { seconds: 2 }),
      ffprobeStreams(procs, t.url('/premium/show'), { seconds: 2 }),
    ]);
    expect(ok.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(ok.streams.find((s) => s.codec_type === 'video')!.nb_read_packets)).toBeGreaterThan(10);
    expect(bare.result.code).not.toBe(0);
    expect(bare.result.stderr).toContain('Playing refused: authorization required');
    expect(bare.streams).toEqual([]);
    await pub.stop();
  });
});

describe('webhook publish decisions', () => {
  const procs = new ClientProcesses();
  let t: TestNode;
  let hook: http.Server;
  const asked: Array<Record<string, unknown>> = [];
  let flv: string;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        const json = JSON.parse(body) as Record<string, unknown>;
        asked.push(json);
        res.setHeader('content-type', 'application/json');
        if (json['name'] === 'registered' && (json['query'] as Record<string, string>)['key'] === 'cam-secret') {
          res.end(JSON.stringify({ allow: true }));
        } else {
          res.statusCode = 403;
          res.end(JSON.stringify({ allow: false, reason: 'camera not registered' }));
        }
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as AddressInfo).port;
    t = await startTestNode({
      auth: { publish: { mode: 'webhook' }, webhook: { url: `http://127.0.0.1:${port}/on_publish`, timeoutMs: 2000 } },
    });
  });

  afterAll(async () => {
    await procs.stopAll();
    await t?.stop();
    await new Promise<void>((r) => hook?.close(() => r()));
  });

  it('the webhook refuses with its reason and allows a registered camera', async () => {
    const bad = await ffmpegPublish(procs, flv, t.url('/live/unknown?key=guess'), { timeoutMs: 20_000 }).exited;
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Server error: Publishing refused: camera not registered');
    const pub = ffmpegPublish(procs, flv, t.url('/live/registered?key=cam-secret'), { loop: true, timeoutMs: 40_000 });
    await waitLive(t, 'live/registered', 10_000);
    await pub.stop();
    const registered = asked.find((a) => a['name'] === 'registered')!;
    expect(registered).toMatchObject({ action: 'publish', app: 'live', name: 'registered', query: { key: 'cam-secret' }, clientIp: '127.0.0.1', nodeId: 'e2e' });
    expect(asked.find((a) => a['name'] === 'unknown')).toMatchObject({ query: { key: 'guess' } });
  });
});

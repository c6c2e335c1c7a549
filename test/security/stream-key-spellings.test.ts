/**
 * One StreamKey rule, seen from outside: the shipped executable with `publish.apps.premium = token` (other apps
 * open). ffmpeg splitting the path as connect app 'premium/a' + name 'b' used to publish without a token what
 * players get as 'premium/a/b' (the policy saw app 'premium/a'). Every spelling of that stream must be the
 * one key 'premium/a/b' of app 'premium' to auth (the token signed for premium + a/b), to the hub (the
 * publish log, what a player gets) and to the registry (gRPC ListStreams of the embedded control server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signStreamToken } from '@rtmp-cluster/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, eventually, unary, type Any } from '../control/support/grpc.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffprobeStreams, type ClientProcess } from '../support/rtmp-clients.js';
import { startChildNode, type ChildNode } from './support/childNode.js';

const SECRET = 'premium-signing-secret-0123456789';
const CONTROL_TOKEN = 'stream-key-control-token-0123';

/** How ffmpeg is told where to publish: a plain URL, or an explicit connect app and play path. */
interface Spelling {
  label: string;
  url: string;
  app?: string;
  playpath?: string;
}

describe('every spelling of one stream is one key for auth, hub and registry (real executable, ffmpeg)', () => {
  const procs = new ClientProcesses();
  let node: ChildNode;
  let grpcAddress: string;
  let flv: string;
  let tmp: string;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-keys-'));
    const policy = path.join(tmp, 'auth.json');
    fs.writeFileSync(policy, JSON.stringify({ publish: { mode: 'none', apps: { premium: 'token' } }, keys: [{ id: 'k1', secret: SECRET }] }));
    const grpcPort = await freePort();
    grpcAddress = `127.0.0.1:${grpcPort}`;
    node = await startChildNode(procs, {
      RTMPC_AUTH_CONFIG: policy,
      RTMPC_LOG_LEVEL: 'info',
      RTMPC_CONTROL_TOKEN: CONTROL_TOKEN,
      RTMPC_GRPC_HOST: '127.0.0.1',
      RTMPC_GRPC_PORT: String(grpcPort),
    });
  });

  afterAll(async () => {
    await procs.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The node's JSON log lines so far. */
  function logs(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const line of node.proc.stdout().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by the output limit
      }
    }
    return out;
  }

  function publish(s: Spelling, loop: boolean): ClientProcess {
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-re'];
    if (loop) args.push('-stream_loop', '-1');
    args.push('-i', flv, '-c', 'copy', '-f', 'flv');
    if (s.app !== undefined) args.push('-rtmp_app', s.app);
    if (s.playpath !== undefined) args.push('-rtmp_playpath', s.playpath);
    args.push(s.url);
    return procs.spawn('ffmpeg', args, { timeoutMs: loop ? 60_000 : 20_000 });
  }

  async function registryStreams(): Promise<Any[]> {
    const c = controlClient(grpcAddress, CONTROL_TOKEN);
    try {
      return (await unary(c, 'ListStreams')).streams as Any[];
    } finally {
      c.close();
    }
  }

  it('connect app premium/a + name b without a token is refused as the premium app (NetStream.Publish.Unauthorized)', async () => {
    const r = await publish({ label: 'app premium/a + b', url: node.url('/premium/a'), app: 'premium/a', playpath: 'b' }, false).exited;
    expect(r.timedOut).toBe(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Server error: Publishing refused: authorization required');
    const denied = await eventually('denial logged', () =>
      logs().find((l) => l.stream === 'premium/a/b' && String(l.msg).startsWith('publish denied')),
    );
    expect(denied).toMatchObject({ status: 'NetStream.Publish.Unauthorized', reasonCode: 'missing_credential' });
    expect(logs().some((l) => l.msg === 'publish started')).toBe(false);
    expect(await registryStreams()).toEqual([]);
  });

  it('the same split of an open app needs no token and is keyed by its first segment', async () => {
    const pub = publish({ label: 'app live/a + b', url: node.url('/live/a'), app: 'live/a', playpath: 'b' }, true);
    const stream = await eventually('live/a/b claimed', async () => (await registryStreams()).find((s) => s.key === 'live/a/b'));
    expect(stream).toMatchObject({ key: 'live/a/b', app: 'live', name: 'a/b' });
    await pub.stop();
    await eventually('live/a/b released', async () => ((await registryStreams()).length === 0 ? true : undefined));
  });

  it('a token for premium + a/b opens every spelling of premium/a/b, and they are all one stream', async () => {
    const token = signStreamToken({ action: 'publish', app: 'premium', name: 'a/b', keyId: 'k1', secret: SECRET, ttlSeconds: 600 });
    const spellings: Spelling[] = [
      { label: 'URL rtmp://h/premium/a/b?token=', url: node.url(`/premium/a/b?token=${token}`) },
      { label: 'app premium/a + name b?token=', url: node.url('/premium/a'), app: 'premium/a', playpath: `b?token=${token}` },
      { label: 'app premium + name a/b?token=', url: node.url('/premium'), app: 'premium', playpath: `a/b?token=${token}` },
      { label: 'app premium/a?token= + name b', url: node.url('/premium/a'), app: `premium/a?token=${token}`, playpath: 'b' },
      { label: 'app /premium/ + name a/b?token=&x=1', url: node.url('/premium'), app: '/premium/', playpath: `a/b?token=${token}&x=1` },
    ];
    for (const s of spellings) {
      const startedBefore = logs().filter((l) => l.msg === 'publish started').length;
      const pub = publish(s, true);
      const claimed = await eventually(`${s.label}: claimed in the registry`, async () => {
        const streams = await registryStreams();
        return streams.length > 0 ? streams : undefined;
      }, 20_000);
      expect(claimed.map((x) => [x.key, x.app, x.name]), s.label).toEqual([['premium/a/b', 'premium', 'a/b']]);
      const started = logs().filter((l) => l.msg === 'publish started');
      expect(started.length, s.label).toBe(startedBefore + 1);
      expect(started.at(-1)!.stream, s.label).toBe('premium/a/b');
      const authorized = logs().filter((l) => String(l.msg).startsWith('publish authorized'));
      expect(authorized.at(-1), s.label).toMatchObject({ stream: 'premium/a/b', via: 'token', keyId: 'k1' });
      if (s === spellings[1]) {
        // What a player asking for premium/a/b gets is this publisher's media.
        const probe = await ffprobeStreams(procs, node.url('/premium/a/b'), { seconds: 2 });
        expect(probe.streams.map((x) => x.codec_name).sort(), s.label).toEqual(['aac', 'h264']);
      }
      const r = await pub.stop();
      expect(r.stderr, s.label).not.toContain('Server error');
      await eventually(`${s.label}: released`, async () => ((await registryStreams()).length === 0 ? true : undefined), 20_000);
    }
    expect(logs().some((l) => String(l.msg).startsWith('publish denied') && l.stream !== 'premium/a/b')).toBe(false);
  });
});

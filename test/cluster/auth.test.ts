/**
 * Publish and play auth across a real cluster (redis-server, nats-server, an origin and an edge built by
 * loadConfig + createNode from RTMPC_* variables, ffmpeg/ffprobe and a raw client): the origin refuses
 * publishers without a valid signed token and closes them; a token minted by `rtmp-cluster sign` publishes
 * (in the name query or the tcUrl query); the edge verifies signed playback URLs itself, and its relay gets
 * past the origin's play auth only because it presents RTMPC_RELAY_TOKEN; somebody posing as a relay with a
 * wrong token is refused and closed.
 */
import fs from 'node:fs';
import { RELAY_TOKEN_FIELD } from '@rtmp-cluster/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { CLI, signWithCli } from '../support/executable.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams, type ClientProcess } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startConfiguredNode, type ConfiguredNode } from './support/configuredNode.js';

const SECRET = 'cluster-signing-secret-0123456789';
const RELAY_TOKEN = 'cluster-auth-relay-token-0123';

const AUTH_ENV = {
  RTMPC_PUBLISH_AUTH: 'token',
  RTMPC_PLAY_AUTH: 'token',
  RTMPC_AUTH_KEYS: `k1:${SECRET}`,
  RTMPC_RELAY_TOKEN: RELAY_TOKEN,
};

describe('cluster auth: origins check publishers, edges check players, relays carry the internal credential', () => {
  const procs = new ClientProcesses();
  const clients: TestRtmpClient[] = [];
  let infra: ClusterInfra;
  let origin: ConfiguredNode;
  let edge: ConfiguredNode;
  let publisher: ClientProcess | undefined;

  beforeAll(async () => {
    expect(fs.existsSync(CLI), `${CLI} missing: run npm run build first`).toBe(true);
    infra = await startClusterInfra();
    const { urls } = infra;
    origin = await startConfiguredNode('origin', 'origin-auth', urls, AUTH_ENV);
    edge = await startConfiguredNode('edge', 'edge-auth', urls, { ...AUTH_ENV, RTMPC_PLAY_WAIT_MS: '8000' });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await procs.stopAll();
    for (const n of [edge, origin]) await n?.stop();
    await infra?.stop();
  });

  function sign(args: string[]): Promise<string> {
    return signWithCli(procs, SECRET, args);
  }

  function authDecisions(n: ConfiguredNode, action: string, result: string, reason: string): number {
    return n.metric('rtmpc_auth_decisions_total', { action, result, reason });
  }

  it('refuses publishers without a token or with a wrong one: readable error, non-zero exit, connection closed', async () => {
    const forged = `k1.${Math.floor(Date.now() / 1000) + 3600}.${'A'.repeat(43)}`;
    const [missing, wrong] = await Promise.all([
      ffmpegPublish(procs, infra.flv, origin.url('/live/show'), { timeoutMs: 20_000 }).exited,
      ffmpegPublish(procs, infra.flv, origin.url(`/live/show?token=${forged}`), { timeoutMs: 20_000 }).exited,
    ]);
    expect(missing.timedOut).toBe(false);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Server error: Publishing refused: authorization required');
    expect(wrong.timedOut).toBe(false);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Server error: Publishing refused: invalid token');
    const closed = await origin.waitForClose((e) => e.reason === 'ACCESS_DENIED' && e.errorCode === 'NetStream.Publish.Unauthorized');
    expect(closed.message).toContain('live/show');
    expect(origin.node.hub.isLive('live/show')).toBe(false);
    expect(authDecisions(origin, 'publish', 'deny', 'missing_credential')).toBeGreaterThanOrEqual(1);
    expect(authDecisions(origin, 'publish', 'deny', 'bad_signature')).toBeGreaterThanOrEqual(1);
    // Nothing was claimed in the registry for the refused publishes.
    expect(origin.logs.some((l) => l['stream'] === 'live/show' && l['msg'] === 'stream claimed')).toBe(false);
  });

  it('a raw publisher without a token gets Publish.Unauthorized, never Publish.Start, and is closed', async () => {
    const c = await TestRtmpClient.connect(origin.url('/live'));
    clients.push(c);
    await c.publish('raw');
    const status = await c.waitForStatus('NetStream.Publish.Unauthorized');
    expect(status.description).toMatch(/^Publishing refused: authorization required/);
    await c.until(() => c.closed, 5000, 'connection closed after the denial');
    expect(c.statusCodes()).not.toContain('NetStream.Publish.Start');
    expect(origin.node.hub.isLive('live/raw')).toBe(false);
  });

  it('publishes with a token minted by `rtmp-cluster sign` (name query and tcUrl query)', async () => {
    const token = await sign(['--action', 'publish', '--app', 'live', '--name', 'show', '--ttl', '600']);
    expect(token).toMatch(/^k1\.\d+\.[A-Za-z0-9_-]{43}$/);
    publisher = ffmpegPublish(procs, infra.flv, origin.url(`/live/show?token=${token}`), { loop: true, timeoutMs: 120_000 });
    await waitFor(() => origin.node.hub.isLive('live/show'), 10_000, 'live/show live on the origin');
    await waitFor(() => origin.logs.some((l) => l['stream'] === 'live/show' && l['msg'] === 'stream claimed'), 5000, 'claim logged');
    expect(authDecisions(origin, 'publish', 'allow', 'token')).toBeGreaterThanOrEqual(1);

    // The same kind of token in the app/tcUrl query (rtmp://host/live?token=.../name) works too.
    const appToken = await sign(['--action', 'publish', '--app', 'live', '--name', 'viaapp', '--ttl', '600']);
    const viaApp = ffmpegPublish(procs, infra.flv, origin.url(`/live?token=${appToken}/viaapp`), { timeoutMs: 30_000 });
    await waitFor(() => origin.node.hub.isLive('live/viaapp'), 10_000, 'live/viaapp live on the origin');
    await viaApp.stop();
  });

  it('plays through the edge with a signed playback URL; the edge relay passes the origin on the relay credential', async () => {
    const originDirectRefusedBefore = authDecisions(origin, 'play', 'deny', 'missing_credential');
    const signedUrl = await sign(['--action', 'play', '--app', 'live', '--name', 'show', '--ttl', '300', '--url', edge.url('')]);
    expect(signedUrl.startsWith(`${edge.url('')}/live/show?token=k1.`)).toBe(true);
    const probe = await ffprobeStreams(procs, signedUrl, { seconds: 2 });
    expect(probe.result.code, probe.result.stderr).toBe(0);
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(probe.streams.find((s) => s.codec_type === 'video')!.nb_read_packets)).toBeGreaterThan(10);
    // The edge checked the token itself; the origin let the edge's relay in as a relay, not as a player.
    expect(authDecisions(edge, 'play', 'allow', 'token')).toBeGreaterThanOrEqual(1);
    expect(authDecisions(origin, 'play', 'allow', 'relay')).toBeGreaterThanOrEqual(1);
    expect(authDecisions(origin, 'play', 'allow', 'token')).toBe(0);
    expect(authDecisions(origin, 'play', 'deny', 'missing_credential')).toBe(originDirectRefusedBefore);

    // The origin requires play tokens too: the same bare URL played there directly is refused.
    const direct = await ffprobeStreams(procs, origin.url('/live/show'), { seconds: 2 });
    expect(direct.result.code).not.toBe(0);
    expect(direct.result.stderr).toContain('Playing refused: authorization required');
    expect(direct.streams).toEqual([]);
  });

  it('refuses a player without a token at the edge, locally and at once', async () => {
    const originDecisions = (): number => origin.node.metrics().filter((s) => s.name === 'rtmpc_auth_decisions_total' && s.labels?.['action'] === 'play').reduce((a, s) => a + s.value, 0);
    const before = originDecisions();
    const started = Date.now();
    const [bare, otherStream] = await Promise.all([
      ffprobeStreams(procs, edge.url('/live/show'), { seconds: 2 }),
      ffprobeStreams(procs, edge.url('/live/elsewhere'), { seconds: 2 }),
    ]);
    for (const r of [bare, otherStream]) {
      expect(r.result.code).not.toBe(0);
      expect(r.result.stderr).toContain('Playing refused: authorization required');
      expect(r.streams).toEqual([]);
    }
    // Refused before any relay or registry lookup: well within the 8 s play wait, and the origin was not asked.
    expect(Date.now() - started).toBeLessThan(6000);
    expect(originDecisions()).toBe(before);
    await edge.waitForClose((e) => e.reason === 'ACCESS_DENIED' && e.errorCode === 'NetStream.Play.Unauthorized' && e.message.includes('live/elsewhere'));
    expect(edge.logs.some((l) => l['stream'] === 'live/elsewhere' && l['msg'] === 'relay created')).toBe(false);
  });

  it('refuses and closes a client posing as a relay with a wrong rtmpcRelayToken; the right one is served', async () => {
    const impostor = await TestRtmpClient.connect(origin.url('/live'), { connectFields: { [RELAY_TOKEN_FIELD]: 'not-the-relay-token' } });
    clients.push(impostor);
    await impostor.play('show');
    const status = await impostor.waitForStatus('NetStream.Play.Unauthorized');
    expect(status.description).toBe('Playing refused: invalid relay credential');
    await impostor.until(() => impostor.closed, 5000, 'impostor closed');
    expect(impostor.statusCodes()).not.toContain('NetStream.Play.Start');
    expect(impostor.mediaCount.video + impostor.mediaCount.audio).toBe(0);
    expect(authDecisions(origin, 'play', 'deny', 'bad_relay_credential')).toBeGreaterThanOrEqual(1);

    // Control: the same client code with the real credential is a relay and gets the stream without a token.
    const relay = await TestRtmpClient.connect(origin.url('/live'), { connectFields: { [RELAY_TOKEN_FIELD]: RELAY_TOKEN } });
    clients.push(relay);
    await relay.play('show');
    await relay.until(() => relay.mediaCount.video >= 10 && relay.mediaCount.audio >= 10, 10_000, 'relay frames');
    expect(relay.statusCodes()).toContain('NetStream.Play.Start');
    relay.close();
    await publisher?.stop();
  });
});

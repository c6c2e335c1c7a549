/**
 * Secrets in logs (issue 14, item 9) on the shipped executable: ffmpeg publishes with a signed token in the
 * connect app (so in tcUrl) and a static key in the stream name, players present tokens and a relay
 * credential in play queries; with debug logging on, no credential appears anywhere in the node's output,
 * and the tcUrl lines show the parameter with its value redacted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { signWithCli } from '../support/executable.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { startChildNode, type ChildNode } from './support/childNode.js';

const SECRET = 'secrets-in-logs-signing-secret-0123456789';
const STATIC_KEY = 'static-key-value-never-logged';
const RELAY_GUESS = 'relay-credential-in-a-query';

describe('no credential in the logs of a tokenized publish and play', () => {
  const procs = new ClientProcesses();
  let node: ChildNode;
  let flv: string;
  let tmp: string;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-secrets-'));
    const policy = path.join(tmp, 'auth.json');
    fs.writeFileSync(policy, JSON.stringify({
      publish: { mode: 'token', apps: { keyed: 'static' } },
      play: { mode: 'token' },
      keys: [{ id: 'k1', secret: SECRET }],
      staticKeys: { 'keyed/cam': STATIC_KEY },
    }));
    node = await startChildNode(procs, { RTMPC_AUTH_CONFIG: policy, RTMPC_LOG_LEVEL: 'debug' }, 120_000);
  });

  afterAll(async () => {
    await procs.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('tokens, static keys and relay credentials are redacted in every line', async () => {
    const publishToken = await signWithCli(procs, SECRET, ['--action', 'publish', '--app', 'live', '--name', 'cam', '--ttl', '600']);
    const playToken = await signWithCli(procs, SECRET, ['--action', 'play', '--app', 'live', '--name', 'cam', '--ttl', '600']);
    // The token in the connect app: tcUrl is rtmp://127.0.0.1:PORT/live?token=...
    const pub = procs.spawn('ffmpeg', [
      '-hide_banner', '-nostdin', '-re', '-stream_loop', '-1', '-i', flv, '-c', 'copy', '-f', 'flv',
      '-rtmp_app', `live?token=${publishToken}`, '-rtmp_playpath', 'cam', node.url('/live/cam'),
    ], { timeoutMs: 60_000 });
    const keyed = procs.spawn('ffmpeg', [
      '-hide_banner', '-nostdin', '-re', '-stream_loop', '-1', '-i', flv, '-c', 'copy', '-f', 'flv', node.url(`/keyed/cam?key=${STATIC_KEY}`),
    ], { timeoutMs: 60_000 });
    const players: TestRtmpClient[] = [];
    try {
      const player = await TestRtmpClient.connect(node.url('/live'));
      players.push(player);
      await player.play(`cam?token=${playToken}`);
      await player.until(() => player.mediaCount.video >= 30, 20_000, 'frames for the tokenized player');
      // A relay credential in a play query is not a relay credential: refused like any tokenless play.
      const posing = await TestRtmpClient.connect(node.url('/live'));
      players.push(posing);
      await posing.play(`cam?rtmpcRelayToken=${RELAY_GUESS}`);
      await posing.until(() => posing.statusCodes().some((c) => c !== 'NetStream.Play.Reset' && c !== 'NetStream.Play.Start'), 10_000, 'a refusal');
      expect(posing.statusCodes()).not.toContain('NetStream.Play.Start');
      await waitFor(() => node.proc.stdout().includes('keyed/cam'), 15_000, 'the static-key publish');
    } finally {
      for (const p of players) p.close();
      await pub.stop();
      await keyed.stop();
    }
    const out = node.proc.stdout() + node.proc.stderr();
    // What a grep of the logs would find: none of the credentials, nor their signature parts.
    for (const secret of [publishToken, playToken, STATIC_KEY, RELAY_GUESS, ...publishToken.split('.').filter((p) => p.length >= 16)]) {
      expect(out, `log contains ${secret}`).not.toContain(secret);
    }
    // ... while the lines stay useful: the tcUrl is there, its token redacted.
    const connected = out.split('\n').filter((l) => l.includes('"msg":"connected"') && l.includes('token='));
    expect(connected.length).toBeGreaterThan(0);
    expect(connected[0]).toContain('/live?token=[redacted]');
  });
});

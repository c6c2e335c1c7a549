/**
 * Regression (issue 14, item 1): an all-in-one node with RTMPC_CONTROL_TOKEN exited when ffmpeg published a
 * stream whose name is 300 characters long (the in-memory registry refused the claim and the unhandled
 * rejection ended the process). The shipped executable must stay up, keep serving the other stream without a
 * gap, and still answer the control API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, unary } from '../control/support/grpc.js';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { startChildNode, type ChildNode } from './support/childNode.js';

const TOKEN = 'long-name-control-token-0123456789';

describe('all-in-one with the control server: a 300-character stream name', () => {
  const procs = new ClientProcesses();
  let node: ChildNode;
  let grpcPort: number;
  let flv: string;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    grpcPort = await freePort();
    node = await startChildNode(procs, {
      RTMPC_CONTROL_TOKEN: TOKEN,
      RTMPC_GRPC_HOST: '127.0.0.1',
      RTMPC_GRPC_PORT: String(grpcPort),
      RTMPC_LOG_LEVEL: 'info',
    }, 120_000);
  });

  afterAll(async () => {
    await procs.stopAll();
  });

  it('does not end the process; the other stream keeps flowing and the control API answers', async () => {
    const steady = ffmpegPublish(procs, flv, node.url('/live/steady'), { loop: true, timeoutMs: 90_000 });
    const player = await TestRtmpClient.connect(node.url('/live'));
    try {
      await player.play('steady');
      await player.until(() => player.mediaCount.video >= 30, 15_000, 'frames of the steady stream');

      const longName = 'n'.repeat(300);
      const hostile = ffmpegPublish(procs, flv, node.url(`/live/${longName}`), { loop: true, timeoutMs: 60_000 });
      // Wait until the node has reacted to the long publish: either it refused it (ffmpeg exits) or it is
      // on the air. Both are acceptable; dying is not.
      await waitFor(
        () => !hostile.running() || node.proc.stdout().includes(longName.slice(0, 64)) || !node.alive(),
        20_000,
        'the node reacting to the 300-character publish',
      );
      // The rejection fired right after the publish started: give the process time to die if it is going to.
      const before = player.mediaCount.video;
      await sleep(2000);
      expect(node.alive(), node.proc.stderr() + node.proc.stdout().slice(-4000)).toBe(true);
      // The steady stream did not stall (30 fps: 2 s are ~60 frames).
      expect(player.mediaCount.video - before).toBeGreaterThan(30);
      expect(player.closed).toBe(false);

      const c = controlClient(`127.0.0.1:${grpcPort}`, TOKEN);
      try {
        const streams = await unary<{ streams: { key: string }[] }>(c, 'ListStreams');
        expect(streams.streams.map((s) => s.key)).toContain('live/steady');
      } finally {
        c.close();
      }
      await hostile.stop();
      // A log line names why the long stream is not in the registry (no secret, no crash).
      expect(node.proc.stdout()).toMatch(/"msg":"[^"]*(refused|not listed)[^"]*"/);
    } finally {
      player.close();
      await steady.stop();
    }
  });
});

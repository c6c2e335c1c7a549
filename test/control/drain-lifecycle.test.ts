/**
 * The drain lifecycle operators meet, with the shipped executables: `rtmpctl drain NODE` ends the node's process
 * with exit code 0 once drained (its supervisor starts a fresh one); `rtmpctl drain NODE --stay` leaves it idle,
 * not ready but live however long it stays, and `rtmpctl undrain NODE` puts it back in service (ffmpeg publishes,
 * ffprobe plays). A node whose drain should have ended its process but did not fails its liveness probe.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../e2e/support/testNode.js';
import { executableEnv, spawnAllInOne, type ExecutableNode } from '../support/executable.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { sleep, waitFor } from '../support/waitFor.js';

const RTMPCTL = path.resolve(import.meta.dirname, '../../packages/control/bin/rtmpctl.js');
const TOKEN = 'drain-lifecycle-token-0123456789';
const DRAIN_MS = 1000;

interface RunningNode extends ExecutableNode {
  id: string;
}

describe('drain, drain --stay and undrain through rtmpctl', () => {
  const procs = new ClientProcesses();
  let flv: string;

  beforeAll(async () => {
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 25, gop: 25 });
  });
  afterAll(() => procs.stopAll());

  async function startNode(id: string): Promise<RunningNode> {
    const node = { id, ...(await spawnAllInOne(procs, { RTMPC_NODE_ID: id, RTMPC_CONTROL_TOKEN: TOKEN, RTMPC_DRAIN_TIMEOUT_MS: String(DRAIN_MS) })) };
    await waitFor(async () => (await node.status('/readyz').catch(() => 0)) === 200, 20_000, `${id} ready`, 100);
    return node;
  }

  const rtmpctl = (n: RunningNode, args: string[]) =>
    procs.run('node', [RTMPCTL, '--address', `127.0.0.1:${n.grpc}`, '--token', TOKEN, ...args], { env: executableEnv({}), timeoutMs: 20_000 });

  it('drain --stay: idle, not ready, live past its deadline; undrain: publishing and playing again; then a plain drain exits 0', async () => {
    const node = await startNode('aio-stay');
    const publisher = ffmpegPublish(procs, flv, `rtmp://127.0.0.1:${node.rtmp}/live/cam`, { loop: true });
    await waitFor(async () => (await rtmpctl(node, ['streams'])).stdout.includes('live/cam'), 20_000, 'the stream listed', 200);

    const drained = await rtmpctl(node, ['drain', node.id, '--stay']);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain(`then it stays idle until 'rtmpctl undrain ${node.id}'`);
    expect(await node.status('/readyz')).toBe(503);
    // The publisher is closed at the deadline; nobody new gets in.
    await waitFor(() => !publisher.running(), 10_000, 'the publisher closed by the drain', 100);
    const refused = await procs.run('ffmpeg', ['-v', 'error', '-re', '-i', flv, '-t', '1', '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${node.rtmp}/live/cam2`], { timeoutMs: 20_000 });
    expect(refused.code).not.toBe(0);
    const nodes = JSON.parse((await rtmpctl(node, ['--json', 'nodes'])).stdout) as { nodes: Array<{ id: string; state: string }> };
    expect(nodes.nodes).toContainEqual(expect.objectContaining({ id: node.id, state: 'NODE_STATE_DRAINING' }));
    // Past the deadline and every grace a drain that exits gets, a staying node is still live and running.
    await sleep(DRAIN_MS + 2000 + 5000 + 500);
    expect(await node.status('/healthz')).toBe(200);
    expect(node.proc.running()).toBe(true);

    const undrained = await rtmpctl(node, ['undrain', node.id]);
    expect(undrained.code, undrained.stderr).toBe(0);
    expect(undrained.stdout).toBe(`node ${node.id} back in service\n`);
    expect(await node.status('/readyz')).toBe(200);
    const again = ffmpegPublish(procs, flv, `rtmp://127.0.0.1:${node.rtmp}/live/cam`, { loop: true });
    await waitFor(async () => (await rtmpctl(node, ['streams'])).stdout.includes('live/cam'), 20_000, 'the stream listed again', 200);
    const probe = await ffprobeStreams(procs, `rtmp://127.0.0.1:${node.rtmp}/live/cam`, { seconds: 2 });
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    const ready = JSON.parse((await rtmpctl(node, ['--json', 'nodes'])).stdout) as { nodes: Array<{ id: string; state: string }> };
    expect(ready.nodes).toContainEqual(expect.objectContaining({ id: node.id, state: 'NODE_STATE_READY' }));
    const notDraining = await rtmpctl(node, ['undrain', node.id]);
    expect(notDraining.code).not.toBe(0);
    expect(notDraining.stderr).toContain('node is not draining');

    // Without --stay the drained process ends with exit code 0.
    const exited = node.proc.exited;
    const plain = await rtmpctl(node, ['drain', node.id]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('then its process exits');
    const result = await Promise.race([exited, sleep(DRAIN_MS + 10_000).then(() => 'still running' as const)]);
    expect(result).not.toBe('still running');
    expect((result as { code: number | null }).code).toBe(0);
    await again.stop();
  }, 90_000);

  it('a node whose drain should have ended its process but did not fails liveness; it cannot be undrained', async () => {
    // In-process, nothing exits the process after the drain: exactly the stuck case liveness must catch.
    const { node } = await startTestNode({ nodeId: 'stuck', logLevel: 'silent', drainTimeoutMs: 200 });
    try {
      const healthz = async () => (await fetch(node.httpUrl('/healthz'))).status;
      expect(await healthz()).toBe(200);
      await node.drain(200);
      await node.drainedToExit();
      expect(await healthz()).toBe(200);
      await expect(node.ops.drainer.undrain()).rejects.toThrow('drained without --stay');
      await waitFor(async () => (await healthz()) === 503, 200 + 2000 + 5000 + 3000, 'liveness failing', 250);
      expect(await (await fetch(node.httpUrl('/healthz'))).text()).toContain('drained but still running past the drain deadline');
    } finally {
      await node.stop();
    }
  }, 30_000);
});

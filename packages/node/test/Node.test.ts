/**
 * createNode in-process: readiness through the lifecycle (starting, running, draining), shutdown telling
 * players and publishers, the drain deadline, and roles that do not run yet.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../../../test/e2e/support/TestRtmpClient.js';
import { defaultConfig, type NodeConfig } from '../src/config.js';
import { createNode, UnsupportedRoleError, type NodeHandle } from '../src/Node.js';

const nodes: NodeHandle[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

function config(over: Partial<NodeConfig> = {}): NodeConfig {
  return { ...defaultConfig('t'), rtmpHost: '127.0.0.1', rtmpPort: 0, httpHost: '127.0.0.1', httpPort: 0, webHost: '127.0.0.1', webPort: 0, logLevel: 'silent', ...over };
}

describe('createNode', () => {
  it('refuses roles that are not implemented yet', () => {
    expect(() => createNode(config({ role: 'control', controlToken: 'x' }))).toThrow(UnsupportedRoleError);
  });

  it('is ready while running, not ready while draining; players and publishers are told on shutdown', async () => {
    const node = createNode(config({ drainTimeoutMs: 1500 }));
    nodes.push(node);
    expect(node.state).toBe('created');
    await node.start();
    expect((await fetch(node.httpUrl('/readyz'))).status).toBe(200);

    const pub = await TestRtmpClient.connect(node.rtmpUrl('/live'));
    await pub.publish('s');
    await pub.waitForStatus('NetStream.Publish.Start', 2000);
    const player = await TestRtmpClient.connect(node.rtmpUrl('/live'));
    await player.play('s');
    await player.waitForStatus('NetStream.Play.Start', 2000);

    // A peer that never closes its side holds the drain until the deadline.
    const stubborn = net.connect({ port: node.addresses().rtmp.port, host: '127.0.0.1', allowHalfOpen: true });
    stubborn.on('error', () => undefined);
    await new Promise((r) => stubborn.once('connect', r));

    const t0 = performance.now();
    const stopping = node.stop();
    expect(node.state).toBe('draining');
    const during = await fetch(node.httpUrl('/readyz'));
    expect(during.status).toBe(503);
    expect(await during.text()).toBe('draining\n');
    expect((await fetch(node.httpUrl('/healthz'))).status).toBe(200);
    await stopping;
    const took = performance.now() - t0;
    expect(node.state).toBe('stopped');
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(4000);
    expect(player.statusCodes()).toContain('NetStream.Play.UnpublishNotify');
    expect(pub.statusCodes()).toContain('NetStream.Unpublish.Success');
    await player.until(() => player.closed, 2000, 'player closed');
    await pub.until(() => pub.closed, 2000, 'publisher closed');
    // New connections are refused once draining started.
    await expect(TestRtmpClient.connect(`rtmp://127.0.0.1:${node.addresses().rtmp.port}/live`, { timeoutMs: 1000 })).rejects.toThrow();
    stubborn.destroy();
  });

  it('reports connections, streams and bytes in /metrics', async () => {
    const node = createNode(config());
    nodes.push(node);
    await node.start();
    const pub = await TestRtmpClient.connect(node.rtmpUrl('/live'));
    await pub.publish('m');
    await pub.waitForStatus('NetStream.Publish.Start', 2000);
    const text = await (await fetch(node.httpUrl('/metrics'))).text();
    expect(text).toMatch(/^rtmpc_rtmp_connections 1$/m);
    expect(text).toMatch(/^rtmpc_streams_live 1$/m);
    expect(text).toMatch(/^rtmpc_up 1$/m);
    expect(Number(/^rtmpc_rtmp_bytes_received_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(3073);
    // by default players are written at the end of each video frame while the node has time to spare
    expect(text).toMatch(/^rtmpc_hub_boundary_flushes 1$/m);
    pub.close();
  });

  it('with RTMPC_FLUSH_ON_VIDEO_FRAME=false the merge window alone decides', async () => {
    const node = createNode(config({ flushOnVideoFrame: false }));
    nodes.push(node);
    await node.start();
    const text = await (await fetch(node.httpUrl('/metrics'))).text();
    expect(text).toMatch(/^rtmpc_hub_boundary_flushes 0$/m);
  });

  it('fails start() cleanly when a port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const node = createNode(config({ rtmpPort: port }));
      await expect(node.start()).rejects.toThrow(/EADDRINUSE/);
      expect(node.state).toBe('stopped');
    } finally {
      blocker.close();
    }
  });
});

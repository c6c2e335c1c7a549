/**
 * Web viewers in the control plane: gRPC ListSessions on an all-in-one node with the embedded control server
 * lists HTTP-FLV and WS-FLV viewers as players with their protocol, KickSession ends one, and the node's
 * metrics count viewers and bytes per protocol.
 */
import { createNode, defaultConfig, type NodeHandle } from 'rtmp-cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, eventually, unary, type Any } from '../control/support/grpc.js';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { connectWsFlv } from './support/wsFlvClient.js';

const TOKEN = 'web-sessions-token';
const procs = new ClientProcesses();
let node: NodeHandle;

beforeAll(async () => {
  const flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 25, gop: 25 });
  node = createNode({
    ...defaultConfig('web-1'),
    rtmpHost: '127.0.0.1',
    rtmpPort: 0,
    httpHost: '127.0.0.1',
    httpPort: 0,
    webHost: '127.0.0.1',
    webPort: 0,
    grpcHost: '127.0.0.1',
    grpcPort: 0,
    controlToken: TOKEN,
    logLevel: 'silent',
    drainTimeoutMs: 1000,
  });
  await node.start();
  ffmpegPublish(procs, flv, node.rtmpUrl('/live/cam'), { loop: true, timeoutMs: 60_000 });
  await waitFor(() => node.hub.isLive('live/cam'), 10_000, 'publisher live');
});

afterAll(async () => {
  await procs.stopAll();
  await node?.stop();
});

describe('web viewers in ListSessions and metrics', () => {
  it('lists http-flv and ws-flv players, kicks one, counts bytes per protocol', async () => {
    const ctl = new AbortController();
    const res = await fetch(node.webUrl('/live/cam.flv'), { signal: ctl.signal });
    const reader = res.body!.getReader();
    let httpBytes = 0;
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          httpBytes += value.length;
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    const ws = await connectWsFlv(node.webUrl('/live/cam.flv').replace('http', 'ws'));
    const c = controlClient(`127.0.0.1:${node.ops.controlPort}`, TOKEN);
    const sessions = await eventually('web sessions listed', async () => {
      const r = await unary(c, 'ListSessions', { stream: 'live/cam' });
      return r.sessions.filter((s: Any) => s.protocol === 'http-flv' || s.protocol === 'ws-flv').length === 2 ? (r.sessions as Any[]) : undefined;
    });
    const ws1 = sessions.find((s) => s.protocol === 'ws-flv')!;
    const http1 = sessions.find((s) => s.protocol === 'http-flv')!;
    expect(ws1).toMatchObject({ kind: 'SESSION_KIND_PLAYER', app: 'live', name: 'cam', nodeId: 'web-1' });
    expect(http1.kind).toBe('SESSION_KIND_PLAYER');
    expect(http1.id).toMatch(/^web-1-web-\d+$/);
    expect(sessions.find((s) => s.kind === 'SESSION_KIND_PUBLISHER')?.protocol).toBe('rtmp');
    await waitFor(() => httpBytes > 50_000, 5000, 'HTTP-FLV bytes');

    const kicked = await unary(c, 'KickSession', { sessionId: ws1.id });
    expect(kicked).toMatchObject({ sessionId: ws1.id, nodeId: 'web-1' });
    expect((await ws.closed).code).toBe(1000);
    const after = await unary(c, 'ListSessions', { stream: 'live/cam' });
    expect(after.sessions.map((s: Any) => s.protocol)).not.toContain('ws-flv');

    const text = await (await fetch(node.httpUrl('/metrics'))).text();
    const value = (name: string, protocol: string): number => Number(text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`protocol="${protocol}"`))?.split(' ').at(-1));
    expect(value('rtmpc_web_viewers', 'http-flv')).toBe(1);
    expect(value('rtmpc_web_viewers', 'ws-flv')).toBe(0);
    expect(value('rtmpc_web_viewers_total', 'ws-flv')).toBe(1);
    expect(value('rtmpc_web_bytes_sent_total', 'http-flv')).toBeGreaterThan(50_000);
    expect(value('rtmpc_web_bytes_sent_total', 'ws-flv')).toBeGreaterThan(1000);
    expect(value('rtmpc_web_dropped_frames_total', 'http-flv')).toBe(0);
    c.close();
    ctl.abort();
    await pump;
  });
});

/**
 * Bounded pending work against the built executable: publish auth by a webhook that never answers, and raw
 * clients that repeat publish (createStream, publish, deleteStream, again) as fast as they can. Each
 * connection waits for at most 4 decisions and the node for RTMPC_MAX_PENDING_DECISIONS; everything beyond is
 * answered at once with NetStream.Publish.Failed, so neither webhook requests nor memory grow with the flood.
 * A real ffmpeg publisher (its name the webhook allows) and player keep going meanwhile.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestFlv, TEST_MEDIA_DIR } from '../support/media.js';
import { ClientProcesses, ffmpegPublish, ffprobePackets } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { metricValue, startChildNode, type ChildNode } from './support/childNode.js';
import { RawSession } from './support/rawSession.js';

const NODE_CAP = 10;
const WEBHOOK_TIMEOUT_MS = 60_000;
const REPEATS = 400;

describe('pending access decisions are bounded per connection and per node', () => {
  const procs = new ClientProcesses();
  let server: ChildNode;
  let webhook: http.Server;
  let flv: string;
  let tmp: string;
  /** requests the webhook holds without answering */
  const hanging = new Set<http.ServerResponse>();
  let requestsSeen = 0;
  let maxHanging = 0;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-pending-'));
    flv = await makeTestFlv(TEST_MEDIA_DIR, { seconds: 4, width: 320, height: 240, fps: 30, gop: 30 });
    webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const { name } = JSON.parse(body) as { name: string };
        if (name === 'real') {
          res.writeHead(200).end();
          return;
        }
        // never answers
        requestsSeen++;
        hanging.add(res);
        maxHanging = Math.max(maxHanging, hanging.size);
        res.on('close', () => hanging.delete(res));
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    server = await startChildNode(procs, {
      RTMPC_PUBLISH_AUTH: 'webhook',
      RTMPC_AUTH_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/decide`,
      RTMPC_AUTH_WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
      RTMPC_MAX_PENDING_DECISIONS: String(NODE_CAP),
      RTMPC_MAX_CONNECTIONS_PER_IP: '100000',
      RTMPC_CONN_RATE_PER_IP: '0',
    });
  });

  afterAll(async () => {
    await procs.stopAll();
    for (const res of hanging) res.destroy();
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a client repeating publish against a webhook that never answers grows neither requests nor memory', async () => {
    const pub = ffmpegPublish(procs, flv, server.url('/live/real'), { loop: true, timeoutMs: 120_000 });
    await waitFor(async () => metricValue(await server.metrics(), 'rtmpc_streams_live') >= 1, 15_000, 'publisher live', 100);
    const out = path.join(tmp, 'player.flv');
    const player = procs.spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-i', server.url('/live/real'), '-c', 'copy', '-f', 'flv', '-y', out], {
      timeoutMs: 120_000,
    });
    await waitFor(async () => fs.existsSync(out) && fs.statSync(out).size > 50_000, 10_000, 'player receiving', 100);
    const playerStartedAt = Date.now();

    // One connection repeats publish REPEATS times.
    const repeater = await RawSession.open(server.rtmpPort);
    await repeater.connect('live');
    const rssBefore = server.rssBytes();
    const started = Date.now();
    for (let i = 0; i < REPEATS; i++) {
      const sid = await repeater.createStream();
      repeater.publish(sid, `flood${i}`);
      repeater.deleteStream(sid);
    }
    await repeater.until(() => repeater.statusCount('NetStream.Publish.Failed') >= REPEATS - 4, 20_000, 'shed answers');
    await waitFor(() => requestsSeen >= 4, 5000, 'webhook requests', 20);
    // exactly the per-connection bound reached the webhook, the rest was answered at once
    expect(requestsSeen).toBe(4);
    expect(repeater.statusCount('NetStream.Publish.Failed')).toBe(REPEATS - 4);
    expect(repeater.isClosed).toBe(false);

    // More repeating connections: together they reach the node-wide bound and no further.
    const others = await Promise.all(Array.from({ length: 5 }, () => RawSession.open(server.rtmpPort)));
    await Promise.all(others.map((o) => o.connect('live')));
    for (let round = 0; round < 100; round++) {
      for (const [j, o] of others.entries()) {
        const sid = await o.createStream();
        o.publish(sid, `other${j}-${round}`);
        o.deleteStream(sid);
      }
    }
    await waitFor(() => others.every((o) => o.statusCount('NetStream.Publish.Failed') >= 100 - 4) && requestsSeen >= NODE_CAP, 20_000, 'node-wide bound', 50);
    await new Promise((r) => setTimeout(r, 500));
    expect(requestsSeen).toBe(NODE_CAP);
    expect(maxHanging).toBe(NODE_CAP);
    const m = await server.metrics();
    expect(metricValue(m, 'rtmpc_access_decisions_pending')).toBe(NODE_CAP);
    expect(metricValue(m, 'rtmpc_access_decisions_shed_total')).toBe(REPEATS - 4 + 5 * 100 - (NODE_CAP - 4));
    // all of it happened while the first decisions were still pending
    expect(Date.now() - started).toBeLessThan(WEBHOOK_TIMEOUT_MS);
    const rssGrowth = server.rssBytes() - rssBefore;
    console.log(`pending decisions: ${REPEATS + 500} publishes in ${Date.now() - started} ms, ${requestsSeen} webhook requests, RSS growth ${Math.round(rssGrowth / 1048576)} MB`);
    expect(rssGrowth).toBeLessThan(32 * 1024 * 1024);

    // The real stream never noticed.
    expect(pub.running(), pub.stderr().slice(-2000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    const playedMs = Date.now() - playerStartedAt;
    const r = await player.stop(5000, 'SIGINT');
    expect(r.stderr).not.toMatch(/Server error|Connection reset|Input\/output error/);
    const { packets } = await ffprobePackets(procs, out, { outputLimit: 32 * 1024 * 1024 });
    const video = packets.filter((p) => p.codec_type === 'video').map((p) => Number(p.dts_time));
    let maxGap = 0;
    for (let i = 1; i < video.length; i++) maxGap = Math.max(maxGap, video[i]! - video[i - 1]!);
    expect(maxGap).toBeLessThan(0.5);
    expect((video[video.length - 1]! - video[0]!) * 1000).toBeGreaterThan(playedMs * 0.8);
    for (const s of [repeater, ...others]) s.destroy();
    await pub.stop();
  }, 120_000);
});

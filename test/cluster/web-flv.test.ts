/**
 * HTTP-FLV and WS-FLV from the edges of a real cluster (redis-server, nats-server, two origins and two edges
 * as processes of the executable): ffprobe reads H.264/AAC from an edge; RTMP, HTTP-FLV and WS-FLV viewers
 * of one stream on one edge share one relay pull; across an origin failover (origin A killed, the encoder
 * moves to B) ffprobe on RTMP and on HTTP-FLV keeps reading one stream: no new stream appears (ffmpeg used
 * to add a "subtitle" stream on RTMP players here) and timestamps never go backwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { ClientProcesses, ffmpegPublish, ffprobeStreams } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { parseFlv } from '../web/support/flvReader.js';
import { connectWsFlv } from '../web/support/wsFlvClient.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startNodeProcess, type NodeProcess } from './support/nodeProcess.js';

const KEY = 'live/webflv';
const procs = new ClientProcesses();
let infra: ClusterInfra;
const webOf = new Map<NodeProcess, string>();
let originA: NodeProcess;
let originB: NodeProcess;
let edge1: NodeProcess;
let edge2: NodeProcess;

async function node(role: 'origin' | 'edge', id: string): Promise<NodeProcess> {
  const port = await freePort();
  const n = await startNodeProcess(procs, role, id, infra.urls, { RTMPC_WEB_HOST: '127.0.0.1', RTMPC_WEB_PORT: String(port) });
  webOf.set(n, `http://127.0.0.1:${port}`);
  return n;
}

interface ProbedRead {
  streams: Array<{ index: number; codec_type: string; codec_name?: string }>;
  packets: Array<{ stream_index: number; codec_type: string; dts?: string }>;
  stderr: string;
}

/** ffprobe reading a live URL for `seconds`: every stream it found and every packet, with dts in ms. */
async function probeRead(url: string, seconds: number): Promise<ProbedRead> {
  const r = await procs.run(
    'ffprobe',
    ['-v', 'error', '-rw_timeout', '15000000', '-read_intervals', `%+${seconds}`, '-show_entries', 'stream=index,codec_type,codec_name:packet=stream_index,codec_type,dts', '-of', 'json', url],
    { timeoutMs: (seconds + 30) * 1000 },
  );
  const parsed = JSON.parse(r.stdout || '{}') as Partial<ProbedRead>;
  return { streams: parsed.streams ?? [], packets: parsed.packets ?? [], stderr: r.stderr };
}

/** value of `name{protocol="..."}` in a Prometheus text */
function metricLine(text: string, name: string, protocol: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`protocol="${protocol}"`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

function expectOneContinuousStream(read: ProbedRead, what: string): void {
  expect(read.streams.map((s) => s.codec_type).sort(), `${what}: streams\n${read.stderr}`).toEqual(['audio', 'video']);
  expect(new Set(read.packets.map((p) => p.codec_type)), what).toEqual(new Set(['audio', 'video']));
  for (const kind of ['audio', 'video']) {
    let last = -Infinity;
    for (const p of read.packets.filter((x) => x.codec_type === kind && x.dts !== undefined)) {
      const dts = Number(p.dts);
      expect(dts, `${what}: ${kind} dts went backwards`).toBeGreaterThanOrEqual(last);
      last = dts;
    }
  }
}

beforeAll(async () => {
  infra = await startClusterInfra();
  [originA, originB] = await Promise.all([node('origin', 'origin-a'), node('origin', 'origin-b')]);
  [edge1, edge2] = await Promise.all([node('edge', 'edge-1'), node('edge', 'edge-2')]);
}, 90_000);

afterAll(async () => {
  await procs.stopAll();
  await infra?.stop();
});

describe('HTTP-FLV and WS-FLV on the edges of a cluster', () => {
  it('ffprobe reads H.264 and AAC over HTTP-FLV from an edge; RTMP, HTTP-FLV and WS-FLV viewers share one pull', async () => {
    ffmpegPublish(procs, infra.flv, originA.url(KEY), { loop: true, timeoutMs: 110_000 });
    await originA.waitForLog((l) => l.msg === 'stream claimed', 10_000, 'stream claimed');
    const probe = await ffprobeStreams(procs, `${webOf.get(edge1)}/${KEY}.flv`, { seconds: 2 });
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), probe.result.stderr).toEqual(['audio:aac', 'video:h264']);
    expect(Number(probe.streams.find((s) => s.codec_type === 'video')?.nb_read_frames)).toBeGreaterThan(20);

    // Edge 2: a WS-FLV viewer first (its request starts the pull), then HTTP-FLV and RTMP while it plays.
    const ws = await connectWsFlv(`${webOf.get(edge2)!.replace('http', 'ws')}/${KEY}.flv`);
    const [httpRead, rtmpRead] = await Promise.all([probeRead(`${webOf.get(edge2)}/${KEY}.flv`, 2), probeRead(edge2.url(KEY), 2)]);
    expectOneContinuousStream(httpRead, 'HTTP-FLV');
    expectOneContinuousStream(rtmpRead, 'RTMP');
    await waitFor(() => ws.messages > 50, 5000, 'WS-FLV messages');
    const flv = parseFlv(ws.bytes());
    expect(flv.header).toEqual({ audio: true, video: true });
    expect(flv.tags.some((t) => t.kind === 'video' && t.keyframe)).toBe(true);
    ws.close();
    const relays = edge2.logs().filter((l) => l.msg === 'relay created' && l.stream === KEY);
    expect(relays.length, 'one relay pull for every kind of viewer').toBe(1);
    const metrics = await edge2.metrics();
    expect(metricLine(metrics, 'rtmpc_web_viewers_total', 'ws-flv')).toBeGreaterThanOrEqual(1);
    expect(metricLine(metrics, 'rtmpc_web_viewers_total', 'http-flv')).toBeGreaterThanOrEqual(1);
    expect(metricLine(metrics, 'rtmpc_web_bytes_sent_total', 'http-flv')).toBeGreaterThan(100_000);
  });

  it('across an origin failover RTMP and HTTP-FLV viewers keep one stream: no new track, monotonic timestamps', async () => {
    // Both read 16 s from edge 2 while origin A dies and the encoder moves to origin B.
    const reads = Promise.all([probeRead(`${webOf.get(edge2)}/${KEY}.flv`, 16), probeRead(edge2.url(KEY), 16)]);
    const ws = await connectWsFlv(`${webOf.get(edge2)!.replace('http', 'ws')}/${KEY}.flv`);
    await waitFor(() => ws.messages > 50, 10_000, 'WS-FLV messages before the failover');
    originA.signal('SIGKILL');
    ffmpegPublish(procs, infra.flv, originB.url(KEY), { loop: true, timeoutMs: 80_000 });
    await originB.waitForLog((l) => l.msg === 'stream claimed' || (typeof l.msg === 'string' && l.msg.startsWith('stream taken over')), 15_000, 'B holds the stream');
    const before = ws.messages;
    await waitFor(() => ws.messages > before + 100, 15_000, 'WS-FLV messages from B');
    const [httpRead, rtmpRead] = await reads;
    expectOneContinuousStream(httpRead, 'HTTP-FLV');
    expectOneContinuousStream(rtmpRead, 'RTMP');
    // The WS viewer got one header and no tag timestamps going back over the switch.
    const flv = parseFlv(ws.bytes());
    for (const type of [8, 9]) {
      let last = -1;
      for (const t of flv.tags.filter((x) => x.type === type && x.kind !== 'video-config' && x.kind !== 'audio-config')) {
        expect(t.timestamp).toBeGreaterThanOrEqual(last);
        last = t.timestamp;
      }
    }
    expect(flv.tags.filter((t) => t.type === 18).every((t) => t.timestamp === 0)).toBe(true);
    ws.close();
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlCluster, TOKEN, type FakeNode } from './support/controlCluster.js';
import { assertRtmpctlBuilt, runRtmpctl, startRtmpctl, type RtmpctlResult } from './support/rtmpctlProcess.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

let cluster: ControlCluster;

/** Runs the built CLI with the test cluster's address and token (unless auth is false) and only `opts.env`'s RTMPCTL_* variables. */
function rtmpctl(args: string[], opts: { env?: Record<string, string>; auth?: boolean } = {}): Promise<RtmpctlResult> {
  const auth = opts.auth ?? true;
  const base = auth ? ['--address', cluster.address, '--token', TOKEN] : [];
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...opts.env };
  if (!opts.env?.RTMPCTL_TOKEN) delete env.RTMPCTL_TOKEN;
  if (!opts.env?.RTMPCTL_ADDRESS) delete env.RTMPCTL_ADDRESS;
  return runRtmpctl([...base, ...args], env);
}

function lines(s: string): string[] {
  return s.trimEnd().split('\n');
}

/** Splits a table row into its cells (columns are separated by two or more spaces). */
function cells(line: string): string[] {
  return line.trim().split(/ {2,}/);
}

/** Runs a listing command that must succeed; its table as cells: the header, then one array per row. */
async function table(args: string[]): Promise<{ header: string[]; rows: string[][] }> {
  const r = await rtmpctl(args);
  expect(r.code, r.stderr).toBe(0);
  const [header, ...rows] = lines(r.stdout).map(cells);
  return { header: header!, rows };
}

beforeAll(async () => {
  assertRtmpctlBuilt();
  cluster = await ControlCluster.start({ commandTimeoutMs: 800 });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('rtmpctl against a live control server', () => {
  let origin: FakeNode;
  let edge: FakeNode;
  let epoch: number;

  beforeEach(async () => {
    await cluster.reset();
    origin = await (
      await cluster.addNode('origin-1', 'origin', {
        address: 'origin-1.origins:1935',
        version: '0.1.0',
        startedAt: Date.now() - (3600 + 125) * 1000,
        load: { connections: 3, streams: 1, ingressBps: 2_500_000, egressBps: 7_500_000 },
      })
    ).serve();
    edge = await (await cluster.addNode('edge-1', 'edge', { address: 'edge-1.edges:1935' })).serve();
    epoch = await origin.claim('live/cam1', {
      videoCodec: 'avc',
      audioCodec: 'aac',
      width: 1280,
      height: 720,
      frameRate: 30,
      audioSampleRate: 48000,
      audioChannels: 2,
      publisherAddress: '203.0.113.7:51234',
    }, 'pub-1');
    edge.addPlayers('live/cam1', 2);
  });

  it('nodes: table and --json', async () => {
    const { header, rows } = await table(['nodes']);
    expect(header).toEqual(['ID', 'ROLE', 'STATE', 'ADDRESS', 'VERSION', 'UPTIME', 'CONNS', 'STREAMS', 'IN', 'OUT']);
    expect(rows).toHaveLength(2);
    // Uptime is computed when rtmpctl prints: on a loaded machine the CLI may start seconds after the nodes.
    const [edgeRow, originRow] = rows as [string[], string[]];
    expect(edgeRow.splice(5, 1)[0]).toMatch(/^1m0\ds$/);
    expect(originRow.splice(5, 1)[0]).toMatch(/^1h02m0\ds$/);
    expect(edgeRow).toEqual(['edge-1', 'edge', 'ready', 'edge-1.edges:1935', '0.1.0', '0', '0', '0 b/s', '0 b/s']);
    expect(originRow).toEqual(['origin-1', 'origin', 'ready', 'origin-1.origins:1935', '0.1.0', '3', '1', '2.5 Mb/s', '7.5 Mb/s']);

    const j = await rtmpctl(['nodes', '--json']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.nodes.map((n: Any) => [n.id, n.role, n.connections])).toEqual([
      ['edge-1', 'NODE_ROLE_EDGE', 0],
      ['origin-1', 'NODE_ROLE_ORIGIN', 3],
    ]);

    const origins = await rtmpctl(['nodes', '--role', 'origin', '--json']);
    expect(JSON.parse(origins.stdout).nodes.map((n: Any) => n.id)).toEqual(['origin-1']);
  });

  it('node ID: details, and exit 2 for an unknown node', async () => {
    const r = await rtmpctl(['node', 'origin-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Node: +origin-1$/m);
    expect(r.stdout).toMatch(/^Role: +origin$/m);
    expect(r.stdout).toMatch(/^Connections: +3$/m);
    expect(r.stdout).toMatch(/^Ingress: +2\.5 Mb\/s$/m);

    const missing = await rtmpctl(['node', 'ghost']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('node ghost is not registered');

    const missingJson = await rtmpctl(['node', 'ghost', '--json']);
    expect(missingJson.code).toBe(2);
    expect(JSON.parse(missingJson.stderr).error).toMatchObject({ code: 'NOT_FOUND', exitCode: 2 });
  });

  it('streams and stream APP/NAME', async () => {
    const { header, rows } = await table(['streams']);
    expect(header).toEqual(['STREAM', 'ORIGIN', 'EPOCH', 'VIDEO', 'AUDIO', 'IN', 'VIEWERS', 'EDGES', 'UPTIME']);
    expect(rows).toHaveLength(1);
    const c = rows[0]!;
    expect(c.slice(0, 8)).toEqual(['live/cam1', 'origin-1', String(epoch), 'avc 1280x720@30', 'aac 48000Hz 2ch', '2.5 Mb/s', '2', '1']);
    expect(c[8]).toMatch(/^\d+s$/);

    const one = await rtmpctl(['stream', 'live/cam1']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Origin: +origin-1 \(origin-1\.origins:1935\)$/m);
    expect(one.stdout).toMatch(/^Publisher: +203\.0\.113\.7:51234$/m);
    expect(one.stdout).toMatch(/^Viewers: +2 \(origin 0\)$/m);
    const edgeTable = one.stdout.slice(one.stdout.indexOf('EDGE'));
    expect(lines(edgeTable).map(cells)).toEqual([['EDGE', 'VIEWERS'], ['edge-1', '2']]);

    const j = JSON.parse((await rtmpctl(['stream', 'live/cam1', '--json'])).stdout);
    expect(j).toMatchObject({ key: 'live/cam1', epoch, totalViewers: 2, edges: [{ nodeId: 'edge-1', viewers: 2 }] });

    expect((await rtmpctl(['stream', 'live/none'])).code).toBe(2);
    const bad = await rtmpctl(['stream', 'noslash']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("'app/name'");
  });

  it('sessions with filters', async () => {
    const { header, rows } = await table(['sessions']);
    expect(header).toEqual(['ID', 'NODE', 'KIND', 'PROTOCOL', 'STREAM', 'REMOTE', 'UPTIME', 'IN', 'OUT', 'RTT']);
    expect(rows).toHaveLength(3);
    const pub = rows.find((c) => c[0] === 'pub-1')!;
    expect(pub.slice(1, 6)).toEqual(['origin-1', 'publisher', 'rtmp', 'live/cam1', '203.0.113.7:51234']);
    expect(pub.slice(7)).toEqual(['977 KiB', '3.9 KiB', '-']);

    const players = JSON.parse((await rtmpctl(['sessions', '--kind', 'player', '--node', 'edge-1', '--json'])).stdout);
    expect(players.sessions.map((s: Any) => [s.nodeId, s.kind, s.rttMs])).toEqual([
      ['edge-1', 'SESSION_KIND_PLAYER', 12],
      ['edge-1', 'SESSION_KIND_PLAYER', 12],
    ]);
    const byStream = JSON.parse((await rtmpctl(['sessions', '--stream', 'live/cam1', '--kind', 'publisher', '--json'])).stdout);
    expect(byStream.sessions.map((s: Any) => s.id)).toEqual(['pub-1']);
    const none = await rtmpctl(['sessions', '--stream', 'live/other']);
    expect(none.stdout).toBe('no sessions\n');

    const badKind = await rtmpctl(['sessions', '--kind', 'viewer']);
    expect(badKind.code).toBe(1);
    expect(badKind.stderr).toContain('viewer');
  });

  it('kick session ID and kick publisher APP/NAME', async () => {
    const victim = edge.sessions[0]!.id;
    const r = await rtmpctl(['kick', 'session', victim]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`kicked session ${victim} on node edge-1\n`);
    expect(edge.sessions.map((s) => s.id)).not.toContain(victim);
    const again = await rtmpctl(['kick', 'session', victim]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no node has session ${victim}`);

    const p = await rtmpctl(['kick', 'publisher', 'live/cam1', '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toEqual({ stream: 'live/cam1', originNodeId: 'origin-1', epoch, kicked: true, sessionId: 'pub-1' });
    expect(origin.received.filter((c) => c.cmd === 'kick-publisher')).toEqual([
      { cmd: 'kick-publisher', key: 'live/cam1', reason: 'kicked by operator' },
    ]);
    // The origin has no publisher left: human output says so and exits 2.
    const gone = await rtmpctl(['kick', 'publisher', 'live/cam1']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('origin origin-1 has no publisher for live/cam1');
  });

  it('drain NODE --deadline MS', async () => {
    edge.drainReply = { state: 'draining', reconnectRequested: 2, toClose: 0 };
    const r = await rtmpctl(['drain', 'edge-1', '--deadline', '5000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'node edge-1 draining: deadline 5000 ms, 2 sessions asked to reconnect, 0 to close at the deadline; then its process exits (its supervisor starts a fresh one)\n',
    );
    expect(edge.received.filter((c) => c.cmd === 'drain')).toEqual([{ cmd: 'drain', timeoutMs: 5000 }]);
    const nodes = JSON.parse((await rtmpctl(['nodes', '--json'])).stdout);
    expect(nodes.nodes.find((n: Any) => n.id === 'edge-1').state).toBe('NODE_STATE_DRAINING');
    expect((await rtmpctl(['drain', 'ghost'])).code).toBe(2);
    expect((await rtmpctl(['drain', 'edge-1', '--deadline', 'soon'])).code).toBe(1);
  });

  it('watch prints events as they happen (human and --json)', async () => {
    const run = (args: string[]) => startRtmpctl(['--address', cluster.address, '--token', TOKEN, ...args]);
    const human = run(['watch', '--count', '2']);
    const json = run(['watch', '--count', '2', '--json']);
    await Promise.all([human.watching, json.watching]);
    await edge.publish({ type: 'node.up', role: 'edge', address: 'edge-1.edges:1935' });
    await origin.publish({ type: 'stream.unpublished', key: 'live/cam1', app: 'live', name: 'cam1', originId: 'origin-1', epoch, reason: 'publisher-left' });

    const h = await human.done;
    expect(h.code).toBe(0);
    const hl = lines(h.stdout);
    expect(hl).toHaveLength(2);
    expect(hl[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z node-up +edge-1 role=edge address=edge-1\.edges:1935$/);
    expect(hl[1]).toMatch(new RegExp(`Z unpublished +live/cam1 origin=origin-1 epoch=${epoch} reason=publisher-left$`));

    const j = await json.done;
    expect(j.code).toBe(0);
    const events = lines(j.stdout).map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['nodeUp', 'unpublished']);
    expect(events[1].unpublished).toMatchObject({ key: 'live/cam1', epoch, reason: 'publisher-left' });
  });

  it('reads address and token from RTMPCTL_ADDRESS / RTMPCTL_TOKEN', async () => {
    const r = await rtmpctl(['nodes', '--json'], { auth: false, env: { RTMPCTL_ADDRESS: cluster.address, RTMPCTL_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).nodes).toHaveLength(2);
  });
});

describe('rtmpctl exit codes', () => {
  it('3 without a valid token', async () => {
    const none = await rtmpctl(['--address', cluster.address, 'nodes'], { auth: false });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('missing or invalid bearer token');
    const wrong = await rtmpctl(['--address', cluster.address, '--token', 'nope', 'streams', '--json'], { auth: false });
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stderr).error.code).toBe('UNAUTHENTICATED');
    const watch = await rtmpctl(['--address', cluster.address, 'watch'], { auth: false });
    expect(watch.code).toBe(3);
  });

  it('4 when the server cannot be reached', async () => {
    const r = await rtmpctl(['--address', '127.0.0.1:1', '--token', TOKEN, '--timeout', '2000', 'nodes'], { auth: false });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^rtmpctl: /);
  });

  it('1 for usage errors, 0 for --help', async () => {
    expect((await rtmpctl(['frobnicate'])).code).toBe(1);
    expect((await rtmpctl(['node'])).code).toBe(1); // missing argument
    expect((await rtmpctl(['kick', 'everything'])).code).toBe(1);
    expect((await rtmpctl([], { auth: false })).code).toBe(1);
    const help = await rtmpctl(['--help'], { auth: false });
    expect(help.code).toBe(0);
    for (const cmd of ['nodes', 'node', 'streams', 'stream', 'sessions', 'kick', 'drain', 'watch']) expect(help.stdout).toContain(cmd);
  });
});

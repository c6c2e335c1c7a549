/**
 * RtmpServer with the hub in-process and the project's own test client: the access-policy hook (async
 * accept, refusals, release callbacks), kicks, and protocol violations closing only the offender.
 */
import type { Logger } from '@rtmp-cluster/core';
import { StreamHub } from '@rtmp-cluster/media';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../../../test/e2e/support/TestRtmpClient.js';
import { rawHandshake, type0Chunk } from '../../../test/e2e/support/rawRtmp.js';
import { RtmpServer, type ConnectionClosedEvent, type PlayRequest, type PublishRequest, type StreamAccessPolicy } from '../src/index.js';

interface Harness {
  server: RtmpServer;
  hub: StreamHub;
  url: string;
  port: number;
  closed: ConnectionClosedEvent[];
}

const open: Array<{ server: RtmpServer; hub: StreamHub; clients: TestRtmpClient[] }> = [];

async function start(policy?: StreamAccessPolicy, logger: Logger = pino({ level: 'silent' })): Promise<Harness & { clients: TestRtmpClient[] }> {
  const hub = new StreamHub();
  const server = new RtmpServer({ hub, logger, policy, playWaitMs: 1000 });
  const { port } = await server.listen(0, '127.0.0.1');
  const closed: ConnectionClosedEvent[] = [];
  server.on('connectionClosed', (e) => closed.push(e));
  const h = { server, hub, url: `rtmp://127.0.0.1:${port}/live`, port, closed, clients: [] as TestRtmpClient[] };
  open.push(h);
  return h;
}

async function client(h: { url: string; clients: TestRtmpClient[] }): Promise<TestRtmpClient> {
  const c = await TestRtmpClient.connect(h.url);
  h.clients.push(c);
  return c;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A policy that holds every publish decision until release(); it records what it was asked and what ended. */
function gatedPublishPolicy(): { policy: StreamAccessPolicy; asked: PublishRequest[]; ended: string[]; release: () => void } {
  const asked: PublishRequest[] = [];
  const ended: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const policy: StreamAccessPolicy = {
    async onPublishRequest(req) {
      asked.push(req);
      await gate;
      return { allow: true };
    },
    async onPlayRequest() {
      return { allow: true };
    },
    onPublishEnded: (req) => ended.push(req.key),
  };
  return { policy, asked, ended, release };
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    for (const c of h.clients) c.close();
    await h.server.close();
    h.hub.close();
  }
});

describe('RtmpServer access policy hook', () => {
  it('sends Publish.Start only after onPublishRequest resolved, with the parsed request', async () => {
    const { policy, asked: seen, ended, release } = gatedPublishPolicy();
    const h = await start(policy);
    const c = await client(h);
    await c.publish('cam?token=abc&x=1');
    await until(() => seen.length === 1, 2000);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.statusCodes()).not.toContain('NetStream.Publish.Start');
    expect(h.hub.isLive('live/cam')).toBe(false);
    release();
    await c.waitForStatus('NetStream.Publish.Start', 2000);
    expect(h.hub.isLive('live/cam')).toBe(true);
    expect(seen[0]).toMatchObject({ app: 'live', name: 'cam', key: 'live/cam', query: { token: 'abc', x: '1' }, publishType: 'live' });
    expect(h.server.stats().publishers).toBe(1);
    c.close();
    await until(() => ended.length === 1, 2000);
    expect(ended).toEqual(['live/cam']);
    expect(h.hub.isLive('live/cam')).toBe(false);
  });

  it('refusals carry the policy status and description; the connection stays usable', async () => {
    const plays: PlayRequest[] = [];
    const h = await start({
      async onPublishRequest(req) {
        return req.query.token === 'good' ? { allow: true } : { allow: false, statusCode: 'NetStream.Publish.Unauthorized', description: 'bad token' };
      },
      async onPlayRequest(req) {
        plays.push(req);
        if (req.name === 'boom') throw new Error('registry down');
        return { allow: false, description: 'not here' };
      },
    });
    const c = await client(h);
    await c.publish('cam?token=bad');
    const refused = await c.waitForStatus('NetStream.Publish.Unauthorized', 2000);
    expect(refused.level).toBe('error');
    expect(refused.description).toBe('bad token');
    await c.play('other');
    const failed = await c.waitForStatus('NetStream.Play.Failed', 2000);
    expect(failed.description).toBe('not here');
    const before = c.statuses.length;
    await c.play('boom');
    const thrown = await c.waitForStatus('NetStream.Play.Failed', 2000, before);
    expect(thrown.description).toContain('registry down');
    await c.publish('cam?token=good');
    await c.waitForStatus('NetStream.Publish.Start', 2000);
    expect(c.closed).toBe(false);
    expect(plays.map((p) => p.key)).toEqual(['live/other', 'live/boom']);
  });

  it('releases a claim granted after the client already left', async () => {
    const { policy, asked, ended, release } = gatedPublishPolicy();
    const h = await start(policy);
    const c = await client(h);
    await c.publish('gone');
    await until(() => asked.length === 1, 2000);
    c.close();
    await until(() => h.closed.length === 1, 2000);
    release();
    await until(() => ended.length === 1, 2000);
    expect(h.hub.isLive('live/gone')).toBe(false);
  });
});

interface LogLine {
  msg: string | undefined;
  bindings: Record<string, unknown>;
  /** how many child() calls below the logger the server was given */
  depth: number;
}

/** A Logger that records every line with the bindings it carries and how deep its logger is. */
class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
    private readonly depth = 0,
  ) {}
  child(bindings: Record<string, unknown>): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings }, this.depth + 1);
  }
  private record(msg: string | undefined): void {
    this.lines.push({ msg, bindings: this.bindings, depth: this.depth });
  }
  debug(_obj: object, msg?: string): void {
    this.record(msg);
  }
  info(_obj: object, msg?: string): void {
    this.record(msg);
  }
  warn(_obj: object, msg?: string): void {
    this.record(msg);
  }
  error(_obj: object, msg?: string): void {
    this.record(msg);
  }
}

describe('RtmpServer connection handling', () => {
  it("a stream's log lines carry the connection's bindings from a logger one level below the server's", async () => {
    const log = new RecordingLogger();
    const h = await start(undefined, log);
    const pub = await client(h);
    await pub.publish('logged');
    await pub.waitForStatus('NetStream.Publish.Start', 2000);
    const player = await client(h);
    await player.play('logged');
    await player.waitForStatus('NetStream.Play.Start', 2000);
    const started = log.lines.find((l) => l.msg === 'play started');
    expect(started?.bindings).toMatchObject({ component: 'rtmp-server', app: 'live', stream: 'live/logged' });
    expect(started?.bindings['connId']).toEqual(expect.any(String));
    expect(log.lines.find((l) => l.msg === 'connected')?.bindings).toMatchObject({ app: 'live' });
    // Connection and stream loggers are children of the server's component logger, never of each other
    // (a nested pino child turns its parent into a dictionary-mode prototype, per connection).
    const perConnection = log.lines.filter((l) => l.bindings['connId'] !== undefined);
    expect(perConnection.length).toBeGreaterThan(2);
    expect(Math.max(...perConnection.map((l) => l.depth))).toBe(2);
  });

  it('kick() closes one connection with KICKED; the hub tells its players', async () => {
    const h = await start();
    const pub = await client(h);
    await pub.publish('k');
    await pub.waitForStatus('NetStream.Publish.Start', 2000);
    const player = await client(h);
    await player.play('k');
    await player.waitForStatus('NetStream.Play.Start', 2000);
    const pubConn = h.server.listConnections().find((c) => c.publishing.includes('live/k'))!;
    expect(h.server.kick(pubConn.connId)).toBe(true);
    expect(h.server.kick('nope')).toBe(false);
    await player.waitForStatus('NetStream.Play.UnpublishNotify', 2000);
    await until(() => h.closed.some((e) => e.connId === pubConn.connId), 2000);
    const e = h.closed.find((x) => x.connId === pubConn.connId)!;
    expect(e.reason).toBe('KICKED');
    expect(e.role).toBe('publisher');
    expect(player.closed).toBe(false);
  });

  it('a command before connect is a protocol violation closing only that connection', async () => {
    const h = await start();
    const good = await client(h);
    const r = await rawHandshake(h.port);
    // AMF0 'createStream', txn 2, null
    const amf = Buffer.from([0x02, 0x00, 0x0c, ...Buffer.from('createStream'), 0x00, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x05]);
    r.socket.write(type0Chunk(3, 20, amf.length, amf));
    await until(() => h.closed.length === 1, 2000);
    expect(h.closed[0]).toMatchObject({ reason: 'PROTOCOL_ERROR', errorCode: 'SESSION_PROTOCOL_VIOLATION', remoteAddress: r.remote });
    r.socket.destroy();
    await good.publish('still');
    await good.waitForStatus('NetStream.Publish.Start', 2000);
  });

  it('a player waiting for a publisher gets StreamNotFound after playWaitMs, then can play again', async () => {
    const h = await start();
    const c = await client(h);
    const t0 = performance.now();
    await c.play('late');
    await c.waitForStatus('NetStream.Play.StreamNotFound', 3000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    const pub = await client(h);
    await pub.publish('late');
    await pub.waitForStatus('NetStream.Publish.Start', 2000);
    await c.play('late');
    await c.waitForStatus('NetStream.Play.Start', 2000);
  });
});

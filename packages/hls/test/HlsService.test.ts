import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamHub, type Publication } from '@rtmp-cluster/media';
import { mediaEventOf, type RtmpMessage } from '@rtmp-cluster/rtmp';
import { makeTestFlv } from '../../../test/support/media.js';
import { HlsService, type HlsResponse } from '../src/index.js';
import { readFlvMessages } from '../../../test/support/flvFile.js';

const KEY = 'live/cam';
const STARTED_AT = 1_764_000_000_000;

describe('HlsService: LL-HLS from a hub stream', () => {
  let messages: RtmpMessage[];
  let hub: StreamHub;
  let hls: HlsService;
  let pub: Publication;
  let sent = 0;

  beforeAll(async () => {
    messages = await readFlvMessages(await makeTestFlv(undefined, { seconds: 20, gop: 30 }));
  });
  afterEach(() => {
    hls?.close();
    hub?.close();
  });

  async function start(): Promise<void> {
    hub = new StreamHub();
    hls = new HlsService({ hub, epochOf: async () => ({ epoch: 3, startedAtMs: STARTED_AT }), holdMs: 1500 });
    pub = hub.publish(KEY, { id: 'pub', close() {} });
    sent = 0;
    await hls.warm(KEY);
  }

  /** Publishes the file up to media time `ms` (all at once: the segmenter reads timestamps, not the clock). */
  async function publishUntil(ms: number): Promise<void> {
    // flushed message by message, as a paced publisher would be: a burst of seconds would (rightly)
    // exceed the subscriber latency budget of the hub
    while (sent < messages.length && messages[sent]!.timestamp <= ms) {
      // what a publishing connection's session hands the hub
      const ev = mediaEventOf(messages[sent++]!, 1);
      if (ev.kind !== 'dropped') pub.push(ev);
      hub.flush();
    }
    await tick();
  }

  async function get(file: string, query = ''): Promise<HlsResponse> {
    return hls.handle(KEY, file, new URLSearchParams(query), { remoteAddress: '127.0.0.1' });
  }

  it('redirects a playlist request without a session, then serves an LL-HLS playlist with the session on every URI', async () => {
    await start();
    await publishUntil(0);
    const first = await get('index.m3u8');
    expect(first.status).toBe(302);
    const location = first.headers['location']!;
    expect(location).toMatch(/^index\.m3u8\?session=[A-Za-z0-9_-]{16}$/);
    const session = new URLSearchParams(location.split('?')[1]).get('session')!;
    await publishUntil(3500);
    const res = await get('index.m3u8', `session=${session}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(res.headers['cache-control']).toBe('no-cache');
    const text = String(res.body);
    expect(text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.600,CAN-SKIP-UNTIL=12.0');
    expect(text).toContain('#EXT-X-PART-INF:PART-TARGET=0.200');
    expect(text).toContain(`#EXT-X-MEDIA-SEQUENCE:${STARTED_AT / 1000 + 1}`);
    expect(text).toMatch(/#EXT-X-MAP:URI="init-[0-9a-f]{12}\.mp4\?session=/);
    expect(text).toContain(`#EXT-X-PROGRAM-DATE-TIME:${new Date(STARTED_AT + 1021).toISOString()}`);
    expect(text).toMatch(/#EXT-X-PART:DURATION=0\.\d{3},URI="part-\d+\.0\.m4s\?session=[^"]+",INDEPENDENT=YES/);
    expect(text).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-\d+\.\d+\.m4s\?session=/);
    expect(text).toContain(`seg-${STARTED_AT / 1000 + 1}.m4s?session=${session}`);
    expect(hls.listSessions().map((s) => s.id)).toEqual([session]);
    expect(hls.stats().viewers).toBe(1);
  });

  it('holds a blocking reload until the part exists, and answers 400 for requests too far ahead', async () => {
    await start();
    await publishUntil(2500);
    const base = STARTED_AT / 1000;
    // segment base+2 is being written with parts 0..2 (2021..2621 ms)
    const far = await get('index.m3u8', `session=abcdefgh12&_HLS_msn=${base + 5}`);
    expect(far.status).toBe(400);
    const farPart = await get('index.m3u8', `session=abcdefgh12&_HLS_msn=${base + 2}&_HLS_part=7`);
    expect(farPart.status).toBe(400);
    expect((await get('index.m3u8', 'session=abcdefgh12&_HLS_part=1')).status).toBe(400);

    let done: HlsResponse | undefined;
    const pending = get('index.m3u8', `session=abcdefgh12&_HLS_msn=${base + 2}&_HLS_part=4`).then((r) => (done = r));
    await publishUntil(2900);
    expect(done).toBeUndefined();
    await publishUntil(3100); // the frame at 3021 closes part 4 and the segment
    const res = await pending;
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain(`part-${base + 2}.4.m4s`);
    // a hinted part is held until it is written, then served with a max-age
    const hinted = get('part-' + (base + 3) + '.1.m4s', 'session=abcdefgh12');
    await publishUntil(3500);
    const part = await hinted;
    expect(part.status).toBe(200);
    expect(part.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect((part.body as Buffer).subarray(4, 8).toString()).toBe('moof');
    // a request nothing satisfies in time: 503 after the hold
    const timedOut = await get('index.m3u8', `session=abcdefgh12&_HLS_msn=${base + 4}`);
    expect(timedOut.status).toBe(503);
  });

  it('holds a joining viewer until the open segment completes when at most two parts of it are to come', async () => {
    await start();
    await publishUntil(2500);
    const base = STARTED_AT / 1000;
    // segment base+2 has parts 0 and 1 (2021..2421 ms): three to come, a new viewer is answered at once
    const early = await get('index.m3u8', 'session=joinearly01');
    expect(early.status).toBe(200);
    expect(String(early.body)).toContain(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-${base + 2}.2.m4s`);
    await publishUntil(2700);
    // parts 0..2 now: a new viewer waits, one already known does not
    let joined: HlsResponse | undefined;
    const pending = get('index.m3u8', 'session=joinlate001').then((r) => (joined = r));
    const known = await get('index.m3u8', 'session=joinearly01');
    expect(String(known.body)).toContain(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-${base + 2}.3.m4s`);
    await publishUntil(2900);
    expect(joined).toBeUndefined();
    await publishUntil(3100); // the keyframe at 3021 completes the segment
    const res = await pending;
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain(`seg-${base + 2}.m4s`);
    expect(String(res.body)).toContain(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-${base + 3}.0.m4s`);
    // blocking reloads of a new session are not join requests: answered as soon as the part exists
    const blocking = await get('index.m3u8', `session=joinblock1&_HLS_msn=${base + 2}&_HLS_part=2`);
    expect(blocking.status).toBe(200);
    // a stream that stops near a segment's end: the joining viewer is answered after at most four parts
    await publishUntil(3700);
    const t0 = Date.now();
    const stalled = await get('index.m3u8', 'session=joinstall1');
    expect(stalled.status).toBe(200);
    expect(String(stalled.body)).toContain(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-${base + 3}.3.m4s`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(Date.now() - t0).toBeLessThan(1400);
  });

  it('holds a request for the init section until a stream that just started muxing has one; 404 for a name it does not have', async () => {
    await start();
    await publishUntil(2500);
    const name = /#EXT-X-MAP:URI="(init-[0-9a-f]{12}\.mp4)/.exec(String((await get('index.m3u8', 'session=initfirst1')).body))![1]!;
    hls.close();
    hub.close();
    // a node where the stream starts only now (another edge served the playlist that named the section)
    await start();
    let held: HlsResponse | undefined;
    const pending = get(name, 'session=initfirst1').then((r) => (held = r));
    await tick();
    expect(held).toBeUndefined();
    await publishUntil(0); // the sequence headers: the same codec configuration, the same name
    const res = await pending;
    expect(res.status).toBe(200);
    expect((res.body as Buffer).subarray(4, 8).toString()).toBe('ftyp');
    // once the node has a section, an unknown name is 404 at once
    expect((await get('init-000000000000.mp4', 'session=initfirst1')).status).toBe(404);
  });

  it('serves segments equal to their parts, skips old segments in a delta update, 404 outside the window', async () => {
    await start();
    await publishUntil(19_000);
    const base = STARTED_AT / 1000;
    const seg = await get(`seg-${base + 5}.m4s`, 'session=abcdefgh12');
    expect(seg.status).toBe(200);
    const parts = await Promise.all([0, 1, 2, 3, 4].map((i) => get(`part-${base + 5}.${i}.m4s`, 'session=abcdefgh12')));
    expect(Buffer.concat(parts.map((p) => p.body as Buffer)).equals(seg.body as Buffer)).toBe(true);
    const delta = String((await get('index.m3u8', 'session=abcdefgh12&_HLS_skip=YES')).body);
    const skipped = Number(/#EXT-X-SKIP:SKIPPED-SEGMENTS=(\d+)/.exec(delta)?.[1]);
    expect(skipped).toBeGreaterThanOrEqual(4);
    expect(delta).not.toContain(`seg-${base + 1}.m4s`);
    const full = String((await get('index.m3u8', 'session=abcdefgh12')).body);
    expect(full).toContain(`seg-${base + 1}.m4s`);
    expect(full).not.toContain('EXT-X-SKIP');
    expect((await get(`seg-${base - 3}.m4s`, 'session=abcdefgh12')).status).toBe(404);
    expect((await get('init-000000000000.mp4', 'session=abcdefgh12')).status).toBe(404);
    expect((await get('../etc/passwd', 'session=abcdefgh12')).status).toBe(404);
  });

  it('a republish continues the numbering upward from the new claim, with a discontinuity, never reusing a number', async () => {
    hub = new StreamHub();
    let since = STARTED_AT;
    let epoch = 3;
    hls = new HlsService({ hub, epochOf: async () => ({ epoch, startedAtMs: since }), holdMs: 1500 });
    pub = hub.publish(KEY, { id: 'pub', close() {} });
    sent = 0;
    await hls.warm(KEY);
    await publishUntil(4500);
    const before = String((await get('index.m3u8', 'session=abcdefgh12')).body);
    const lastBefore = Math.max(...[...before.matchAll(/seg-(\d+)\.m4s/g)].map((m) => Number(m[1])));
    pub.unpublish();
    since = STARTED_AT + 60_000; // the publisher came back a minute later: a new claim
    epoch = 4;
    pub = hub.publish(KEY, { id: 'pub2', close() {} });
    await tick();
    sent = 0; // the same file again: the hub continues its timeline after the last frame
    await publishUntil(4500);
    const after = String((await get('index.m3u8', 'session=abcdefgh12')).body);
    const msns = [...after.matchAll(/seg-(\d+)\.m4s/g)].map((m) => Number(m[1]));
    expect(msns.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...msns)).toBeGreaterThan(lastBefore + 50);
    expect(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(after)![1])).toBe(Math.min(...msns));
  });

  it('an edge that lived through an origin failover lists the new epoch as an edge that joined after it does', async () => {
    // Two edges' hubs fed by relays. Epoch 3 from origin A; then origin B (epoch 4) serves the stream with
    // timestamps of its own (a new encoder, from 0). The surviving edge's hub rebases them to keep its players
    // monotonic; its HLS must still number them as the fresh edge does.
    let epoch = 3;
    let since = STARTED_AT;
    const epochOf = async (): Promise<{ epoch: number; startedAtMs: number }> => ({ epoch, startedAtMs: since });
    const survivorHub = new StreamHub();
    const freshHub = new StreamHub();
    const survivor = new HlsService({ hub: survivorHub, epochOf, holdMs: 1500, windowSegments: 4 });
    const fresh = new HlsService({ hub: freshHub, epochOf, holdMs: 1500, windowSegments: 4 });
    try {
      const relayA = survivorHub.publish(KEY, { id: 'relay', relayed: true, close() {} });
      await survivor.warm(KEY);
      const feed = async (targets: Array<{ hub: StreamHub; pub: Publication }>, fromMs: number, toMs: number): Promise<void> => {
        for (const m of messages) {
          if (m.timestamp < fromMs || m.timestamp > toMs) continue;
          const ev = mediaEventOf(m, 1);
          if (ev.kind === 'dropped') continue;
          for (const t of targets) {
            t.pub.push(ev);
            t.hub.flush();
          }
        }
        await tick();
      };
      const sendFromB = async (pubs: Array<{ hub: StreamHub; pub: Publication }>, fromMs: number, toMs: number): Promise<void> => {
        // B's timeline: the same file, config first (a relay gets the sequence headers on Play.Start)
        const config = messages.filter((m) => m.timestamp === 0 && (m.type === 18 || m.payload[1] === 0));
        for (const m of fromMs === 0 ? config : []) {
          const ev = mediaEventOf(m, 1);
          if (ev.kind !== 'dropped') for (const t of pubs) t.pub.push(ev);
        }
        await feed(pubs, fromMs, toMs);
      };
      await feed([{ hub: survivorHub, pub: relayA }], 0, 9000);
      const beforeText = String((await survivor.handle(KEY, 'index.m3u8', new URLSearchParams('session=abcdefgh12'), { remoteAddress: '127.0.0.1' })).body);
      const lastA = Math.max(...[...beforeText.matchAll(/seg-(\d+)\.m4s/g)].map((m) => Number(m[1])));

      // origin A dies; B claims the stream 20 s after A did (epoch 4); the surviving relay moves to B
      epoch = 4;
      since = STARTED_AT + 20_000;
      relayA.restartSource();
      const relayFresh = freshHub.publish(KEY, { id: 'relay', relayed: true, close() {} });
      await fresh.warm(KEY);
      await sendFromB([{ hub: survivorHub, pub: relayA }, { hub: freshHub, pub: relayFresh }], 0, 12_000);
      // the surviving hub's players kept a monotonic clock: B's frames were rebased past A's
      const [s, f] = await Promise.all(
        [survivor, fresh].map(async (h) => String((await h.handle(KEY, 'index.m3u8', new URLSearchParams('session=abcdefgh12'), { remoteAddress: '127.0.0.1' })).body)),
      );
      const segs = (text: string): string[] => [...text.matchAll(/#EXTINF:([\d.]+),\n(?:#.*\n)*?seg-(\d+)\.m4s/g)].map((m) => `${m[2]}:${m[1]}`);
      // the window (4 segments) has slid past A's: both list the same B segments, durations, discontinuity sequence
      expect(segs(s).length).toBeGreaterThanOrEqual(4);
      expect(segs(s)).toEqual(segs(f));
      const msns = segs(s).map((x) => Number(x.split(':')[0]));
      expect(Math.min(...msns)).toBeGreaterThan(lastA);
      expect(msns[0]).toBeGreaterThanOrEqual(since / 1000);
      expect(s).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:4');
      expect(f).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:4');
      const uri = `seg-${msns[1]}.m4s`;
      const [a, b] = await Promise.all([survivor, fresh].map((h) => h.handle(KEY, uri, new URLSearchParams('session=abcdefgh12'), { remoteAddress: '127.0.0.1' })));
      expect((a.body as Buffer).equals(b.body as Buffer)).toBe(true);
    } finally {
      survivor.close();
      fresh.close();
      survivorHub.close();
      freshHub.close();
    }
  });

  it("an edge whose relay stalled and re-pulled the same publish agrees with one that did not (numbers, discontinuity sequence, bytes)", async () => {
    const epochOf = async (): Promise<{ epoch: number; startedAtMs: number }> => ({ epoch: 3, startedAtMs: STARTED_AT });
    const hubs = [new StreamHub(), new StreamHub()];
    const [steady, stalled] = hubs.map((hub) => new HlsService({ hub, epochOf, holdMs: 1500, windowSegments: 4 }));
    try {
      const pubs = hubs.map((hub) => hub.publish(KEY, { id: 'relay', relayed: true, close() {} }));
      await Promise.all([steady!.warm(KEY), stalled!.warm(KEY)]);
      const send = async (i: number, m: RtmpMessage): Promise<void> => {
        const ev = mediaEventOf(m, 1);
        if (ev.kind === 'dropped') return;
        pubs[i]!.push(ev);
        hubs[i]!.flush();
      };
      // the same origin output to both, except 6-9 s, which the stalled edge's relay never received
      const resumeAt = messages.find((m) => m.type === 9 && m.payload[0]! >> 4 === 1 && m.timestamp >= 9000)!.timestamp;
      let restarted = false;
      for (const m of messages) {
        if (m.timestamp > 16_000) break;
        await send(0, m);
        if (m.timestamp >= 6000 && m.timestamp < resumeAt) continue;
        if (m.timestamp >= resumeAt && !restarted) {
          // the re-pull: the origin sends the sequence headers, then its GOP from a keyframe
          restarted = true;
          pubs[1]!.restartSource();
          for (const c of messages.filter((x) => x.timestamp === 0 && (x.type === 18 || x.payload[1] === 0))) await send(1, c);
        }
        await send(1, m);
      }
      await tick();
      const [a, b] = await Promise.all(
        [steady!, stalled!].map(async (h) => String((await h.handle(KEY, 'index.m3u8', new URLSearchParams('session=abcdefgh12'), { remoteAddress: '127.0.0.1' })).body)),
      );
      const segs = (text: string): string[] => [...text.matchAll(/#EXTINF:([\d.]+),\n(?:#.*\n)*?seg-(\d+)\.m4s/g)].map((m) => `${m[2]}:${m[1]}`);
      expect(segs(a).length).toBeGreaterThanOrEqual(4);
      expect(segs(b)).toEqual(segs(a));
      expect(a).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:3');
      expect(b).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:3');
      const uri = `seg-${segs(a)[1]!.split(':')[0]}.m4s`;
      const [x, y] = await Promise.all([steady!, stalled!].map((h) => h.handle(KEY, uri, new URLSearchParams('session=abcdefgh12'), { remoteAddress: '127.0.0.1' })));
      expect((x.body as Buffer).equals(y.body as Buffer)).toBe(true);
    } finally {
      steady!.close();
      stalled!.close();
      for (const h of hubs) h.close();
    }
  });

  it('muxes a stream again after it stopped for want of requests: the cached sequence headers reach the new tap', async () => {
    hub = new StreamHub();
    hls = new HlsService({ hub, epochOf: async () => ({ epoch: 3, startedAtMs: STARTED_AT }), holdMs: 1500, streamIdleMs: 100 });
    pub = hub.publish(KEY, { id: 'pub', close() {} });
    sent = 0;
    await hls.warm(KEY);
    await publishUntil(3500);
    expect(String((await get('index.m3u8', 'session=AAAAAAAAAAAAAAAA')).body)).toContain('#EXTINF');
    // the sweep (every 2 s) stops muxing a stream nobody asked for within streamIdleMs
    await new Promise((r) => setTimeout(r, 2300));
    expect(hls.stats().streams).toBe(0);
    await hls.warm(KEY);
    await publishUntil(8000);
    const res = await get('index.m3u8', 'session=BBBBBBBBBBBBBBBB');
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain('#EXTINF');
    expect((await get('init-' + /init-([^"?]+)/.exec(String(res.body))![1]!)).status).toBe(200);
  });
});

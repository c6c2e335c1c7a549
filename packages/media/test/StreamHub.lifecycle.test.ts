import { ChunkStreamId, MessageType, type RtmpMessage } from '@rtmp-cluster/rtmp';
import { afterEach, describe, expect, it } from 'vitest';
import { HubError, StreamHub, type StreamHubEvents } from '../src/index.js';
import {
  AAC_SEQ_44K,
  AAC_SEQ_48K,
  AVC_SEQ_320,
  AVC_SEQ_640,
  aacFrame,
  audio,
  avcFrame,
  dataMessage,
  describe as kind,
  onMetaData,
  video,
} from './support/flvTags.js';
import { RecordingSink } from './support/RecordingSink.js';
import { nextCycle, TestPublisher } from './support/TestPublisher.js';
import { thrownBy } from '../../../test/support/thrownBy.js';

const KEY = 'live/life';
let hub: StreamHub;
afterEach(() => hub?.close());

function recordEvents(h: StreamHub) {
  const events: Array<[keyof StreamHubEvents, unknown]> = [];
  for (const name of [
    'streamPublished',
    'streamUnpublished',
    'subscriberAdded',
    'subscriberRemoved',
    'subscriberError',
  ] as const) {
    h.on(name, (e: unknown) => events.push([name, e]));
  }
  return events;
}

/** A new hub (closed after the test) with a publisher and one recording player on KEY. */
function publishWithPlayer(publisherId: string, options?: ConstructorParameters<typeof StreamHub>[0]) {
  hub = new StreamHub(options);
  const source = new TestPublisher(publisherId);
  const pub = hub.publish(KEY, source);
  const sink = new RecordingSink('p');
  const sub = hub.subscribe(KEY, sink);
  return { source, pub, sink, sub };
}

const catchHubError = (fn: () => unknown): HubError => thrownBy(fn, HubError);

describe('StreamHub: publishers', () => {
  it('rejects a second publisher on a live name with STREAM_ALREADY_PUBLISHED; the first keeps streaming', async () => {
    hub = new StreamHub();
    const first = new TestPublisher('first');
    const pub = hub.publish(KEY, first);
    const err = catchHubError(() => hub.publish(KEY, new TestPublisher('second')));
    expect(err.code).toBe('STREAM_ALREADY_PUBLISHED');
    expect(first.closed).toEqual([]);
    const sink = new RecordingSink('p');
    hub.subscribe(KEY, sink);
    pub.push(video(avcFrame(true), 0));
    await nextCycle();
    expect(sink.messages().map(kind)).toEqual(['key']);
    expect(hub.streamStats(KEY)!.publisherId).toBe('first');
  });

  it('takeover evicts the old publisher; subscribers continue with the new one', async () => {
    hub = new StreamHub({ duplicatePublishPolicy: 'takeover' });
    const events = recordEvents(hub);
    const oldSource = new TestPublisher('old');
    const oldPub = hub.publish(KEY, oldSource);
    oldPub.push(video(AVC_SEQ_320, 0));
    oldPub.push(video(avcFrame(true), 100));
    const sink = new RecordingSink('p');
    hub.subscribe(KEY, sink);

    const newPub = hub.publish(KEY, new TestPublisher('new'));
    expect(oldSource.closed).toEqual(['takeover']);
    expect(oldPub.active).toBe(false);
    oldPub.push(video(avcFrame(true), 140)); // a zombie's late push is ignored
    newPub.push(video(AVC_SEQ_640, 0));
    newPub.push(video(avcFrame(true), 0));
    await nextCycle();

    expect(sink.log.map((e) => e.kind)).toEqual(['write', 'stopped', 'started', 'write']);
    expect(sink.log[1]).toEqual({ kind: 'stopped', reason: 'takeover' });
    expect(sink.log[2]).toEqual({ kind: 'started', info: { key: KEY, publisherId: 'new', republish: true } });
    const msgs = sink.messages();
    expect(msgs.map(kind)).toEqual(['vseq', 'key', 'vseq', 'key']);
    expect(msgs[2]!.payload.equals(AVC_SEQ_640)).toBe(true);
    expect(msgs[3]!.timestamp).toBeGreaterThan(msgs[1]!.timestamp);
    expect(events.filter(([n]) => n.startsWith('stream'))).toEqual([
      ['streamPublished', { key: KEY, publisherId: 'old', republish: false, takeover: false }],
      ['streamUnpublished', { key: KEY, publisherId: 'old', reason: 'takeover' }],
      ['streamPublished', { key: KEY, publisherId: 'new', republish: true, takeover: true }],
    ]);
  });

  it('takeover can be chosen per publish call', () => {
    hub = new StreamHub();
    const a = new TestPublisher('a');
    hub.publish(KEY, a);
    hub.publish(KEY, new TestPublisher('b'), { duplicatePolicy: 'takeover' });
    expect(a.closed).toEqual(['takeover']);
    expect(hub.streamStats(KEY)!.publisherId).toBe('b');
  });

  it('kickPublisher closes the source and notifies subscribers', () => {
    const { source: src, pub, sink } = publishWithPlayer('k');
    const events = recordEvents(hub);
    expect(hub.kickPublisher(KEY)).toBe(true);
    expect(src.closed).toEqual(['kicked']);
    expect(pub.active).toBe(false);
    expect(sink.log).toEqual([{ kind: 'stopped', reason: 'kicked' }]);
    expect(events).toContainEqual(['streamUnpublished', { key: KEY, publisherId: 'k', reason: 'kicked' }]);
    expect(hub.kickPublisher(KEY)).toBe(false);
    expect(hub.kickPublisher('live/nothing')).toBe(false);
  });

  it('unpublish flushes pending media, then notifies; it is idempotent', () => {
    const { source: src, pub, sink } = publishWithPlayer('u');
    const events = recordEvents(hub);
    pub.push(video(avcFrame(true), 0));
    pub.unpublish();
    pub.unpublish();
    expect(sink.log.map((e) => e.kind)).toEqual(['write', 'stopped']);
    expect(sink.log[1]).toEqual({ kind: 'stopped', reason: 'unpublished' });
    expect(src.closed).toEqual([]); // the source ended itself: the hub does not close it
    expect(events.filter(([n]) => n === 'streamUnpublished')).toHaveLength(1);
    expect(hub.isLive(KEY)).toBe(false);
    expect(hub.streamStats(KEY)).toMatchObject({ live: false, subscriberCount: 1, gopMessages: 0 });
  });

  it('a republish continues the same subscribers with new config and continuous timestamps', async () => {
    hub = new StreamHub({ timestamps: { discontinuityStepMs: 10 } });
    const sink = new RecordingSink('p');
    hub.subscribe(KEY, sink);
    const first = hub.publish(KEY, new TestPublisher('one'));
    first.push(onMetaData({ width: 320 }));
    first.push(video(AVC_SEQ_320, 0));
    first.push(audio(AAC_SEQ_44K, 0));
    for (let i = 0; i < 10; i++) first.push(video(avcFrame(i === 0), 5000 + i * 40));
    first.unpublish();

    const second = hub.publish(KEY, new TestPublisher('two'));
    second.push(onMetaData({ width: 640 }));
    second.push(video(AVC_SEQ_640, 0));
    second.push(audio(AAC_SEQ_48K, 0));
    second.push(video(avcFrame(false), 0)); // not a keyframe: skipped for this subscriber
    for (let i = 0; i < 5; i++) second.push(video(avcFrame(i === 0), 40 + i * 40));
    await nextCycle();

    expect(sink.log.filter((e) => e.kind !== 'write')).toEqual([
      { kind: 'started', info: { key: KEY, publisherId: 'one', republish: false } },
      { kind: 'stopped', reason: 'unpublished' },
      { kind: 'started', info: { key: KEY, publisherId: 'two', republish: true } },
    ]);
    const msgs = sink.messages();
    expect(msgs.map(kind)).toEqual([
      'data', 'vseq', 'aseq', 'key', ...Array(9).fill('inter'),
      'data', 'vseq', 'aseq', 'key', ...Array(4).fill('inter'),
    ]);
    const frames = msgs.filter((m) => m.type === MessageType.Video && m.payload[1] === 1);
    const ts = frames.map((m) => m.timestamp);
    expect(ts.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => 5000 + i * 40));
    // second publisher: 0 (skipped, but it opened the segment at 5360+10) then +40 each
    expect(ts.slice(10)).toEqual([5410, 5450, 5490, 5530, 5570]);
    expect(hub.streamStats(KEY)!.timestampRepairs).toBe(1);
  });

  it('timestamps crossing 2^32 reach players as the wrapped uint32 with continuous deltas', async () => {
    const { pub, sink } = publishWithPlayer('w');
    const start = 0xffffffff - 100;
    for (let i = 0; i < 6; i++) pub.push(video(avcFrame(i === 0), (start + i * 40) >>> 0));
    await nextCycle();
    expect(sink.messages().map((m) => m.timestamp)).toEqual(
      Array.from({ length: 6 }, (_, i) => (start + i * 40) >>> 0),
    );
    expect(hub.streamStats(KEY)!.timestampRepairs).toBe(0);
  });

  it('repairs a backwards jump inside one publish (encoder restart without unpublish)', async () => {
    const { pub, sink } = publishWithPlayer('b', { timestamps: { discontinuityStepMs: 10 } });
    pub.push(video(avcFrame(true), 90_000));
    pub.push(audio(aacFrame(), 90_020));
    pub.push(video(avcFrame(false), 90_040));
    pub.push(video(avcFrame(true), 0));
    pub.push(audio(aacFrame(), 20));
    pub.push(video(avcFrame(false), 40));
    await nextCycle();
    expect(sink.messages().map((m) => m.timestamp)).toEqual([90_000, 90_020, 90_040, 90_050, 90_070, 90_090]);
  });
});

describe('StreamHub: subscribers and streams', () => {
  it('drops a stream that has neither publisher nor subscribers', () => {
    hub = new StreamHub();
    const sub = hub.subscribe(KEY, new RecordingSink('p'));
    expect(hub.allStreamStats().map((s) => s.key)).toEqual([KEY]);
    sub.unsubscribe();
    sub.unsubscribe();
    expect(hub.allStreamStats()).toEqual([]);

    const pub = hub.publish(KEY, new TestPublisher('x'));
    pub.unpublish();
    expect(hub.allStreamStats()).toEqual([]);

    const sub2 = hub.subscribe(KEY, new RecordingSink('q'));
    const pub2 = hub.publish(KEY, new TestPublisher('y'));
    pub2.unpublish();
    expect(hub.allStreamStats()).toHaveLength(1); // the subscriber still waits
    sub2.unsubscribe();
    expect(hub.allStreamStats()).toEqual([]);
  });

  it('emits subscriberAdded/Removed with the count', () => {
    hub = new StreamHub();
    const events = recordEvents(hub);
    const a = hub.subscribe(KEY, new RecordingSink('a'));
    hub.subscribe(KEY, new RecordingSink('b'));
    a.unsubscribe();
    expect(events).toEqual([
      ['subscriberAdded', { key: KEY, subscriberId: 'a', subscriberCount: 1 }],
      ['subscriberAdded', { key: KEY, subscriberId: 'b', subscriberCount: 2 }],
      ['subscriberRemoved', { key: KEY, subscriberId: 'a', subscriberCount: 1 }],
    ]);
  });

  it('an unsubscribed sink gets nothing more, not even what was queued', async () => {
    const { pub, sink, sub } = publishWithPlayer('x');
    pub.push(video(avcFrame(true), 0));
    sub.unsubscribe();
    pub.push(video(avcFrame(false), 40));
    await nextCycle();
    expect(sink.log).toEqual([]);
  });

  it('a sink whose writev throws is removed and reported; the others keep receiving', async () => {
    hub = new StreamHub();
    const events = recordEvents(hub);
    const pub = hub.publish(KEY, new TestPublisher('x'));
    const broken = new RecordingSink('broken');
    broken.writev = () => {
      throw new Error('EPIPE');
    };
    const ok = new RecordingSink('ok');
    hub.subscribe(KEY, broken);
    hub.subscribe(KEY, ok);
    pub.push(video(avcFrame(true), 0));
    await nextCycle();
    pub.push(video(avcFrame(false), 40));
    await nextCycle();
    expect(ok.messages()).toHaveLength(2);
    expect(hub.streamStats(KEY)!.subscriberCount).toBe(1);
    const errors = events.filter(([n]) => n === 'subscriberError');
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toMatchObject({ key: KEY, subscriberId: 'broken', error: expect.any(Error) });
  });

  it('rejects bad keys, bad sinks and a double subscribe with typed errors', () => {
    hub = new StreamHub();
    expect(catchHubError(() => hub.subscribe('nokey', new RecordingSink('a'))).code).toBe('INVALID_STREAM_KEY');
    expect(catchHubError(() => hub.publish('/x', new TestPublisher('a'))).code).toBe('INVALID_STREAM_KEY');
    expect(catchHubError(() => hub.subscribe(KEY, new RecordingSink('a', 0))).code).toBe('INVALID_SINK');
    expect(catchHubError(() => hub.subscribe(KEY, new RecordingSink('a', 4096, -1))).code).toBe('INVALID_SINK');
    expect(hub.allStreamStats()).toEqual([]); // failed subscribes leave nothing behind
    const sink = new RecordingSink('a');
    hub.subscribe(KEY, sink);
    expect(catchHubError(() => hub.subscribe(KEY, sink)).code).toBe('ALREADY_SUBSCRIBED');
  });

  it('close() kicks publishers, stops subscribers, and refuses new work', () => {
    hub = new StreamHub();
    const src = new TestPublisher('x');
    hub.publish(KEY, src);
    const live = new RecordingSink('live');
    hub.subscribe(KEY, live);
    const waiting = new RecordingSink('waiting');
    hub.subscribe('live/other', waiting);
    hub.close();
    expect(src.closed).toEqual(['hubClosed']);
    expect(live.log).toEqual([{ kind: 'stopped', reason: 'hubClosed' }]);
    expect(waiting.log).toEqual([{ kind: 'stopped', reason: 'hubClosed' }]);
    expect(hub.allStreamStats()).toEqual([]);
    expect(catchHubError(() => hub.subscribe(KEY, new RecordingSink('n'))).code).toBe('HUB_CLOSED');
  });
});

describe('StreamHub: input handling and stats', () => {
  it('takes metadata as the session decoded it: the object from the event, the message bytes unchanged', async () => {
    const { pub, sink } = publishWithPlayer('meta');
    // Object and bytes disagree on purpose: a hub that decoded the payload again would report width 9.
    const message = onMetaData({ width: 9 }).message;
    pub.push({ kind: 'metadata', metadata: { width: 5, height: 4 }, message });
    await nextCycle();
    expect(hub.streamStats(KEY)!.metadata).toEqual({ width: 5, height: 4 });
    expect(hub.streamStats(KEY)!.video).toMatchObject({ width: 5, height: 4 });
    const [received] = sink.messages();
    expect(received!.type).toBe(MessageType.DataAmf0);
    expect(received!.payload.equals(message.payload)).toBe(true);
  });

  it('drops malformed tags, counts them, and keeps going', async () => {
    const { pub, sink } = publishWithPlayer('bad');
    pub.push(video(Buffer.from([0x17]), 0)); // AVC tag cut after the first byte
    pub.push(audio(Buffer.from([0xaf]), 0)); // AAC tag without its packet type
    pub.push(video(avcFrame(true), 40));
    await nextCycle();
    expect(sink.messages().map(kind)).toEqual(['key']);
    expect(hub.streamStats(KEY)!.malformedMessages).toBe(2);
  });

  it('forwards other data messages and does not cache them', async () => {
    const { pub, sink } = publishWithPlayer('d');
    pub.push(dataMessage(['onTextData', { text: 'hi' }]));
    pub.push(dataMessage(['onCuePoint', { name: 'c' }]));
    await nextCycle();
    const { decodeData } = await import('@rtmp-cluster/rtmp');
    expect(sink.messages().map((m) => decodeData(m)[0])).toEqual(['onTextData', 'onCuePoint']);
    const late = new RecordingSink('late');
    hub.subscribe(KEY, late);
    expect(late.log).toEqual([]);
  });

  it('reports codecs, picture size, frame rate, bitrate and per-subscriber bytes', async () => {
    let clock = 1_700_000_000_000;
    const { pub, sink } = publishWithPlayer('stats', { now: () => clock });
    clock += 5000;
    pub.push(onMetaData({ width: 1, height: 1 }));
    pub.push(video(AVC_SEQ_320, 0));
    pub.push(audio(AAC_SEQ_44K, 0));
    let bytes = AVC_SEQ_320.length + AAC_SEQ_44K.length;
    for (let i = 0; i < 75; i++) {
      const frame = avcFrame(i % 25 === 0, 1000);
      pub.push(video(frame, i * 40));
      bytes += frame.length;
    }
    await nextCycle();
    const stats = hub.streamStats(KEY)!;
    expect(stats).toMatchObject({
      live: true,
      publisherId: 'stats',
      publishedAt: 1_700_000_000_000,
      messagesIn: 78,
      subscriberCount: 1,
      video: { codec: 'avc', width: 320, height: 240, frameRate: 25 },
      audio: { codec: 'aac', sampleRate: 44100 },
    });
    expect(stats.bytesIn).toBe(bytes + onMetaData({ width: 1, height: 1 }).message.payload.length);
    expect(stats.ingressBitrate).toBeGreaterThan(190_000);
    expect(stats.ingressBitrate).toBeLessThan(220_000);
    const [subStats] = hub.subscriberStats(KEY);
    expect(subStats).toMatchObject({ id: 'p', messagesOut: 78, droppedMessages: 0, dropping: false });
    expect(subStats!.bytesOut).toBe(sink.bytesWritten);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { StreamHub } from '../src/index.js';
import { AAC_SEQ_44K, AVC_SEQ_320, aacFrame, audio, avcFrame, describe as kind, video } from './support/flvTags.js';
import { RecordingSink } from './support/RecordingSink.js';
import { nextCycle, TestPublisher } from './support/TestPublisher.js';

const KEY = 'live/fan';
let hub: StreamHub;
afterEach(() => {
  hub?.close();
  vi.useRealTimers();
});

function publishWithConfig(h: StreamHub) {
  const pub = h.publish(KEY, new TestPublisher('pub'));
  pub.push(video(AVC_SEQ_320, 0));
  pub.push(audio(AAC_SEQ_44K, 0));
  return pub;
}

/** A new hub with these options, a configured publisher and one player that already has the sequence headers. */
function playerAfterConfig(options: ConstructorParameters<typeof StreamHub>[0]) {
  hub = new StreamHub(options);
  const pub = publishWithConfig(hub);
  const s = new RecordingSink('s');
  hub.subscribe(KEY, s);
  s.clear();
  return { pub, s };
}

describe('StreamHub: encode once, write many', () => {
  it('writes the same Buffer instance to every subscriber with the same chunk size and msid', async () => {
    hub = new StreamHub();
    const pub = publishWithConfig(hub);
    const sinks = [0, 1, 2, 3].map((i) => new RecordingSink(`p${i}`, 4096, 1));
    for (const s of sinks) hub.subscribe(KEY, s);
    // large frames: several chunks each, so a per-subscriber encode would be visible as a new Buffer
    pub.push(video(avcFrame(true, 20_000), 1000));
    pub.push(audio(aacFrame(300), 1010));
    pub.push(video(avcFrame(false, 9000), 1040));
    await nextCycle();

    const [first, ...others] = sinks.map((s) => s.buffers);
    expect(first).toHaveLength(5); // 2 sequence headers at join + 3 live
    for (const bufs of others) {
      expect(bufs).toHaveLength(first!.length);
      bufs.forEach((b, i) => expect(b).toBe(first![i]));
    }
    expect(sinks[0]!.messages().map(kind)).toEqual(['vseq', 'aseq', 'key', 'audio', 'inter']);
  });

  it('a late joiner gets the very Buffers the live subscribers got for the cached GOP', async () => {
    hub = new StreamHub();
    const pub = publishWithConfig(hub);
    const live = new RecordingSink('live');
    hub.subscribe(KEY, live);
    pub.push(video(avcFrame(true, 5000), 1000));
    pub.push(video(avcFrame(false, 5000), 1040));
    await nextCycle();
    const late = new RecordingSink('late');
    hub.subscribe(KEY, late);
    expect(late.buffers).toHaveLength(4);
    late.buffers.forEach((b, i) => expect(b).toBe(live.buffers[i]));
  });

  it('encodes once per (chunk size, msid) variant and each variant decodes to the same messages', async () => {
    hub = new StreamHub();
    const pub = publishWithConfig(hub);
    const a1 = new RecordingSink('a1', 4096, 1);
    const a2 = new RecordingSink('a2', 4096, 1);
    const b = new RecordingSink('b', 128, 1);
    const c = new RecordingSink('c', 4096, 3);
    for (const s of [a1, a2, b, c]) hub.subscribe(KEY, s);
    pub.push(video(avcFrame(true, 1000), 500));
    await nextCycle();
    const keyA1 = a1.buffers[2]!;
    expect(a2.buffers[2]).toBe(keyA1);
    expect(b.buffers[2]).not.toBe(keyA1);
    expect(c.buffers[2]).not.toBe(keyA1);
    const payload = a1.messages()[2]!.payload;
    for (const s of [b, c]) {
      const m = s.messages()[2]!;
      expect(m.payload.equals(payload)).toBe(true);
      expect(m.timestamp).toBe(500);
      expect(m.streamId).toBe(s.streamId);
    }
  });
});

describe('StreamHub: merged writes', () => {
  it('N messages pushed in one cycle reach each subscriber in ONE writev', async () => {
    hub = new StreamHub();
    const pub = publishWithConfig(hub);
    const sinks = [new RecordingSink('x'), new RecordingSink('y'), new RecordingSink('z')];
    for (const s of sinks) hub.subscribe(KEY, s);
    for (const s of sinks) s.clear();
    pub.push(video(avcFrame(true), 0));
    for (let i = 1; i < 50; i++) pub.push(i % 2 ? audio(aacFrame(), i * 20) : video(avcFrame(false), i * 20));
    expect(sinks.map((s) => s.writes.length)).toEqual([0, 0, 0]); // nothing written synchronously
    await nextCycle();
    for (const s of sinks) {
      expect(s.writes).toHaveLength(1);
      expect(s.writes[0]).toHaveLength(50);
    }
    expect(hub.subscriberStats(KEY).map((s) => s.messagesOut)).toEqual([52, 52, 52]);
  });

  it('with mergeWindowMs the whole hub flushes once per window on one timer', () => {
    vi.useFakeTimers();
    hub = new StreamHub({ mergeWindowMs: 20 });
    const pub = publishWithConfig(hub);
    const s1 = new RecordingSink('s1');
    const s2 = new RecordingSink('s2');
    hub.subscribe(KEY, s1);
    hub.subscribe(KEY, s2);
    s1.clear();
    s2.clear();
    pub.push(video(avcFrame(true), 0));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    pub.push(video(avcFrame(false), 40));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(9);
    expect(s1.writes).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(s1.writes.map((w) => w.length)).toEqual([2]);
    expect(s2.writes.map((w) => w.length)).toEqual([2]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with flushOnVideoFrame a video frame ends the window: audio waits for it, the frame is not held', async () => {
    const { pub, s } = playerAfterConfig({ mergeWindowMs: 1000, flushOnVideoFrame: true });
    pub.push(audio(aacFrame(), 0));
    pub.push(audio(aacFrame(), 21));
    await nextCycle();
    expect(s.writes).toHaveLength(0); // audio alone waits (up to the window) for a video frame
    pub.push(video(avcFrame(true), 33));
    await nextCycle();
    expect(s.writes).toHaveLength(1);
    expect(s.messages().map(kind)).toEqual(['audio', 'audio', 'key']);
  });

  it('without flushOnVideoFrame a video frame waits for the end of the window', async () => {
    vi.useFakeTimers();
    const { pub, s } = playerAfterConfig({ mergeWindowMs: 20 });
    pub.push(video(avcFrame(true), 0));
    await vi.advanceTimersByTimeAsync(19);
    expect(s.writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.writes).toHaveLength(1);
  });

  it('a relayed publication is written on the next event-loop turn, whatever the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    hub = new StreamHub({ mergeWindowMs: 1000 });
    const relay = hub.publish(KEY, { id: 'relay', relayed: true, close: () => undefined });
    relay.push(video(AVC_SEQ_320, 0));
    relay.push(audio(AAC_SEQ_44K, 0));
    const s = new RecordingSink('s');
    hub.subscribe(KEY, s);
    await nextCycle();
    s.clear();
    // One burst of the origin's merged write: audio, then a video frame, then audio again.
    relay.push(audio(aacFrame(), 100));
    relay.push(video(avcFrame(true), 133));
    relay.push(audio(aacFrame(), 121));
    expect(s.writes).toHaveLength(0);
    await nextCycle();
    expect(s.writes).toHaveLength(1);
    expect(s.messages().map(kind)).toEqual(['audio', 'key', 'audio']);
    // Audio alone too: no timer held it.
    relay.push(audio(aacFrame(), 142));
    await nextCycle();
    expect(s.writes).toHaveLength(2);
  });

  it('flush() writes queued data immediately', () => {
    const { pub, s } = playerAfterConfig({ mergeWindowMs: 1000 });
    pub.push(video(avcFrame(true), 0));
    hub.flush();
    expect(s.writes).toHaveLength(1);
  });
});

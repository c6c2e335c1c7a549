import { decodeData } from '@rtmp-cluster/rtmp';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamHub } from '../src/index.js';
import {
  AAC_SEQ_44K,
  AVC_SEQ_320,
  AVC_SEQ_640,
  aacFrame,
  audio,
  avcFrame,
  describe as kind,
  onMetaData,
  video,
} from './support/flvTags.js';
import { RecordingSink } from './support/RecordingSink.js';
import { nextCycle, TestPublisher } from './support/TestPublisher.js';

const KEY = 'live/cam';
const BIG = 0x1000000; // frames with timestamps above the 24-bit field, seq headers at 0 (conformance 66)
let hub: StreamHub;
afterEach(() => hub?.close());

function startPublishing(h: StreamHub) {
  const pub = h.publish(KEY, new TestPublisher('pub-1'));
  pub.push(onMetaData({ width: 320, height: 240, framerate: 25, videocodecid: 7 }));
  pub.push(audio(AAC_SEQ_44K, 0)); // audio config first
  pub.push(audio(aacFrame(), BIG)); // audio before any video
  pub.push(video(AVC_SEQ_320, 0));
  pub.push(video(avcFrame(false), BIG + 10)); // first video frame is not a keyframe
  return pub;
}

describe('StreamHub: joining', () => {
  it('sends a late joiner metadata, sequence headers and the GOP at once, starting at a keyframe', () => {
    hub = new StreamHub();
    const pub = startPublishing(hub);
    pub.push(video(avcFrame(true), BIG + 40));
    pub.push(audio(aacFrame(), BIG + 45));
    pub.push(video(avcFrame(false), BIG + 80));
    pub.push(audio(aacFrame(), BIG + 68));

    const late = new RecordingSink('late');
    const sub = hub.subscribe(KEY, late);
    expect(sub.live).toBe(true);
    // written synchronously inside subscribe(), in one writev
    expect(late.writes).toHaveLength(1);
    const msgs = late.messages();
    expect(msgs.map(kind)).toEqual(['data', 'vseq', 'aseq', 'key', 'audio', 'inter', 'audio']);
    expect(decodeData(msgs[0]!)).toEqual(['onMetaData', expect.objectContaining({ width: 320, height: 240 })]);
    expect(msgs[1]!.payload.equals(AVC_SEQ_320)).toBe(true);
    expect(msgs.slice(3).map((m) => m.timestamp)).toEqual([BIG + 40, BIG + 45, BIG + 80, BIG + 68]);
    expect(msgs.every((m) => m.streamId === 1)).toBe(true);
    expect(msgs.map((m) => m.csid)).toEqual([5, 6, 4, 6, 4, 6, 4]);
    expect(late.log.some((e) => e.kind === 'started')).toBe(false);
  });

  it('an early subscriber gets everything live but skips video until the first keyframe', async () => {
    hub = new StreamHub();
    const pub = hub.publish(KEY, new TestPublisher('pub-1'));
    const early = new RecordingSink('early');
    hub.subscribe(KEY, early);
    pub.push(onMetaData({ width: 320 }));
    pub.push(audio(AAC_SEQ_44K, 0));
    pub.push(audio(aacFrame(), BIG));
    pub.push(video(AVC_SEQ_320, 0));
    pub.push(video(avcFrame(false), BIG + 10));
    pub.push(video(avcFrame(true), BIG + 40));
    pub.push(video(avcFrame(false), BIG + 80));
    await nextCycle();
    expect(early.messages().map(kind)).toEqual(['data', 'aseq', 'audio', 'vseq', 'key', 'inter']);
  });

  it('resets the GOP cache on a new sequence header; the joiner then waits for the next keyframe', async () => {
    hub = new StreamHub();
    const pub = startPublishing(hub);
    pub.push(video(avcFrame(true), BIG + 40));
    pub.push(video(avcFrame(false), BIG + 80));
    expect(hub.streamStats(KEY)!.gopMessages).toBe(2);
    pub.push(video(AVC_SEQ_640, BIG + 100)); // encoder reconfigured
    expect(hub.streamStats(KEY)!.gopMessages).toBe(0);
    pub.push(video(avcFrame(false), BIG + 120));

    const late = new RecordingSink('late');
    hub.subscribe(KEY, late);
    const joined = late.messages();
    expect(joined.map(kind)).toEqual(['data', 'vseq', 'aseq']);
    expect(joined[1]!.payload.equals(AVC_SEQ_640)).toBe(true);

    pub.push(video(avcFrame(false), BIG + 160));
    pub.push(audio(aacFrame(), BIG + 165));
    pub.push(video(avcFrame(true), BIG + 200));
    await nextCycle();
    expect(late.messages().map(kind).slice(3)).toEqual(['audio', 'key']);
  });

  it('an identical repeated sequence header does not reset the GOP', () => {
    hub = new StreamHub();
    const pub = startPublishing(hub);
    pub.push(video(avcFrame(true), BIG + 40));
    pub.push(video(AVC_SEQ_320, BIG + 60));
    pub.push(video(avcFrame(false), BIG + 80));
    expect(hub.streamStats(KEY)!.gopMessages).toBe(2);
  });

  it('replaces metadata on every repeat and sends players plain onMetaData', () => {
    hub = new StreamHub();
    const pub = startPublishing(hub);
    pub.push(onMetaData({ width: 640, height: 360 }));
    const late = new RecordingSink('late');
    hub.subscribe(KEY, late);
    const data = late.messages().filter((m) => kind(m) === 'data');
    expect(data).toHaveLength(1);
    expect(decodeData(data[0]!)).toEqual(['onMetaData', expect.objectContaining({ width: 640, height: 360 })]);
    expect(hub.streamStats(KEY)!.metadata).toMatchObject({ width: 640, height: 360 });
  });

  describe('bounded GOP cache', () => {
    function pushGop(pub: ReturnType<typeof startPublishing>, frames: number, frameBytes = 200, start = BIG + 40) {
      pub.push(video(avcFrame(true, frameBytes), start));
      for (let i = 1; i < frames; i++) pub.push(video(avcFrame(false, frameBytes), start + i * 40));
    }

    it('drops the cache when it exceeds maxMessages, and restarts at the next keyframe', () => {
      hub = new StreamHub({ gop: { maxMessages: 10 } });
      const pub = startPublishing(hub);
      pushGop(pub, 11);
      expect(hub.streamStats(KEY)!.gopMessages).toBe(0);
      const late = new RecordingSink('late');
      hub.subscribe(KEY, late);
      expect(late.messages().map(kind)).toEqual(['data', 'vseq', 'aseq']);
      pushGop(pub, 5, 200, BIG + 1000);
      expect(hub.streamStats(KEY)!.gopMessages).toBe(5);
    });

    it('drops the cache when it exceeds maxBytes', () => {
      hub = new StreamHub({ gop: { maxBytes: 10_000 } });
      const pub = startPublishing(hub);
      pushGop(pub, 9, 1000);
      const stats = hub.streamStats(KEY)!;
      expect(stats.gopMessages).toBe(9);
      expect(stats.gopBytes).toBeLessThanOrEqual(10_000);
      pub.push(video(avcFrame(false, 1000), BIG + 2000));
      expect(hub.streamStats(KEY)!.gopBytes).toBe(0);
    });

    it('drops the cache when it spans more than maxDurationMs of media', () => {
      hub = new StreamHub({ gop: { maxDurationMs: 1000 } });
      const pub = startPublishing(hub);
      pushGop(pub, 26); // 25 * 40 ms = 1000 ms: still inside
      expect(hub.streamStats(KEY)!.gopMessages).toBe(26);
      pub.push(video(avcFrame(false), BIG + 40 + 26 * 40));
      expect(hub.streamStats(KEY)!.gopMessages).toBe(0);
    });
  });

  it('subscribe-before-publish: the sink waits, is told when the stream starts, then gets media from a keyframe', async () => {
    hub = new StreamHub();
    const waiting = new RecordingSink('waiting');
    const sub = hub.subscribe(KEY, waiting);
    expect(sub.live).toBe(false);
    expect(hub.isLive(KEY)).toBe(false);
    expect(hub.streamStats(KEY)).toMatchObject({ live: false, subscriberCount: 1 });
    expect(waiting.log).toEqual([]);

    const pub = startPublishing(hub);
    expect(sub.live).toBe(true);
    expect(waiting.log[0]).toEqual({ kind: 'started', info: { key: KEY, publisherId: 'pub-1', republish: false } });
    pub.push(video(avcFrame(true), BIG + 40));
    await nextCycle();
    expect(waiting.messages().map(kind)).toEqual(['data', 'aseq', 'audio', 'vseq', 'key']);
  });
});

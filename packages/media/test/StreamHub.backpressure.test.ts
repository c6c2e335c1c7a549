import { afterEach, describe, expect, it } from 'vitest';
import {
  StreamHub,
  type SubscriberLaggingEvent,
  type SubscriberRecoveredEvent,
} from '../src/index.js';
import { AAC_SEQ_44K, AVC_SEQ_320, AVC_SEQ_640, aacFrame, audio, avcFrame, describe as kind, video } from './support/flvTags.js';
import { RecordingSink } from './support/RecordingSink.js';
import { nextCycle, TestPublisher } from './support/TestPublisher.js';

const KEY = 'live/slow';
let hub: StreamHub;
afterEach(() => hub?.close());

/** Behaves like a socket whose peer stopped reading: everything written stays pending until drain(). */
class StalledSink extends RecordingSink {
  override writev(buffers: Buffer[]): void {
    super.writev(buffers);
    for (const b of buffers) this.pendingBytes += b.length;
  }
  drain(): void {
    this.pendingBytes = 0;
  }
}

function setup(budgetBytes: number) {
  hub = new StreamHub({ subscriber: { latencyBudgetMs: 0, minBudgetBytes: budgetBytes } });
  const lagging: SubscriberLaggingEvent[] = [];
  const recovered: SubscriberRecoveredEvent[] = [];
  hub.on('subscriberLagging', (e) => lagging.push(e));
  hub.on('subscriberRecovered', (e) => recovered.push(e));
  const pub = hub.publish(KEY, new TestPublisher('pub'));
  pub.push(video(AVC_SEQ_320, 0));
  pub.push(audio(AAC_SEQ_44K, 0));
  return { pub, lagging, recovered };
}

/**
 * One GOP of 25 video frames (1 keyframe) with an audio frame after each, 40 ms apart, each message
 * flushed on its own like input arriving in separate socket reads.
 */
function pushGop(pub: { push: (m: ReturnType<typeof video>) => void }, start: number, frameBytes = 2000): number {
  let n = 0;
  for (let i = 0; i < 25; i++) {
    pub.push(video(avcFrame(i === 0, frameBytes), start + i * 40));
    hub.flush();
    pub.push(audio(aacFrame(200), start + i * 40 + 20));
    hub.flush();
    n += 2;
  }
  return n;
}

describe('StreamHub: delay compensation', () => {
  it('a stalled subscriber drops until the next keyframe, stays bounded, is reported once, and does not slow a fast one', async () => {
    const budget = 20_000;
    const { pub, lagging, recovered } = setup(budget);
    const fast = new RecordingSink('fast');
    const slow = new StalledSink('slow');
    hub.subscribe(KEY, fast);
    hub.subscribe(KEY, slow);

    let pushed = 0;
    for (let g = 0; g < 8; g++) {
      pushed += pushGop(pub, 1000 + g * 1000);
      await nextCycle();
    }
    // every message reached the fast sink, in order
    const fastMsgs = fast.messages();
    expect(fastMsgs).toHaveLength(2 + pushed);
    // the slow one got at most the budget plus one message beyond what it had at join
    expect(slow.bytesWritten).toBeLessThanOrEqual(budget + 2100);
    expect(lagging).toHaveLength(1);
    expect(lagging[0]).toMatchObject({ key: KEY, subscriberId: 'slow' });
    const slowStats = hub.subscriberStats(KEY).find((s) => s.id === 'slow')!;
    expect(slowStats.dropping).toBe(true);
    expect(slowStats.dropEpisodes).toBe(1);
    expect(slowStats.droppedMessages).toBe(pushed - (slow.messages().length - 2));
    expect(hub.subscriberStats(KEY).find((s) => s.id === 'fast')!.droppedMessages).toBe(0);

    // the peer reads again: inter frames and audio are still skipped, the next keyframe resumes
    slow.drain();
    const before = slow.messages().length;
    pub.push(video(avcFrame(false), 9000));
    pub.push(audio(aacFrame(), 9010));
    pub.push(video(avcFrame(true), 9040));
    pub.push(audio(aacFrame(), 9050));
    await nextCycle();
    expect(slow.messages().slice(before).map(kind)).toEqual(['key', 'audio']);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.droppedMessages).toBe(slowStats.droppedMessages + 2);
    expect(lagging).toHaveLength(1);
    expect(hub.subscriberStats(KEY).find((s) => s.id === 'slow')!.dropping).toBe(false);
  });

  it('a sequence header dropped during an episode is sent again before the resuming keyframe', async () => {
    const { pub } = setup(5_000);
    const slow = new RecordingSink('slow');
    hub.subscribe(KEY, slow);
    slow.pendingBytes = 100_000;
    pub.push(video(avcFrame(true), 1000)); // starts the episode
    pub.push(video(AVC_SEQ_640, 1020)); // encoder reconfigured while the subscriber drops
    pub.push(video(avcFrame(true), 1040)); // still too slow: dropped
    slow.pendingBytes = 0;
    pub.push(video(avcFrame(true), 1080));
    await nextCycle();
    const msgs = slow.messages();
    expect(msgs.map(kind)).toEqual(['vseq', 'aseq', 'vseq', 'aseq', 'key']);
    expect(msgs[2]!.payload.equals(AVC_SEQ_640)).toBe(true);
    expect(msgs[4]!.timestamp).toBe(1080);
  });

  it('an audio-only stream resumes on an audio frame once the backlog is drained', async () => {
    hub = new StreamHub({ subscriber: { latencyBudgetMs: 0, minBudgetBytes: 1000 } });
    const pub = hub.publish(KEY, new TestPublisher('pub'));
    pub.push(audio(AAC_SEQ_44K, 0));
    const slow = new RecordingSink('slow');
    hub.subscribe(KEY, slow);
    slow.pendingBytes = 10_000;
    pub.push(audio(aacFrame(), 20));
    pub.push(audio(aacFrame(), 40));
    slow.pendingBytes = 0;
    pub.push(audio(aacFrame(), 60));
    await nextCycle();
    expect(slow.messages().map((m) => m.timestamp)).toEqual([0, 60]);
    expect(hub.subscriberStats(KEY)[0]).toMatchObject({ droppedMessages: 2, dropEpisodes: 1, dropping: false });
  });

  it('the byte budget follows the measured ingress rate (latencyBudgetMs)', async () => {
    // ~ 2000 bytes per 40 ms = 50 bytes/ms; 1000 ms budget = ~50 kB, far above minBudgetBytes
    hub = new StreamHub({ subscriber: { latencyBudgetMs: 1000, minBudgetBytes: 1000 } });
    const pub = hub.publish(KEY, new TestPublisher('pub'));
    const sink = new RecordingSink('s');
    hub.subscribe(KEY, sink);
    for (let i = 0; i < 100; i++) {
      pub.push(video(avcFrame(i % 25 === 0, 2000), i * 40));
      hub.flush();
    }
    const rate = hub.streamStats(KEY)!.ingressBitrate;
    expect(rate).toBeGreaterThan(350_000);
    expect(rate).toBeLessThan(450_000);
    sink.pendingBytes = 30_000; // ~600 ms of media: inside the budget
    pub.push(video(avcFrame(false, 2000), 4000));
    sink.pendingBytes = 60_000; // ~1200 ms: over it
    pub.push(video(avcFrame(false, 2000), 4040));
    await nextCycle();
    expect(hub.subscriberStats(KEY)[0]).toMatchObject({ droppedMessages: 1, dropEpisodes: 1 });
  });
});

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
/** wall clock of the hub under test, moved by the tests at media pace */
let clock = 0;
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

function setup(latencyBudgetMs: number) {
  clock = 0;
  hub = new StreamHub({ subscriber: { latencyBudgetMs }, now: () => clock });
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
    clock = start + i * 40;
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
    const { pub, lagging, recovered } = setup(400);
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
    // the slow one got at most the budget (400 ms: 10 frames of 2 kB + 10 audio frames) plus one message
    expect(slow.bytesWritten).toBeLessThanOrEqual(11 * 2100 + 2100);
    expect(lagging).toHaveLength(1);
    expect(lagging[0]).toMatchObject({ key: KEY, subscriberId: 'slow', budgetMs: 400 });
    expect(lagging[0]!.lagMs).toBeGreaterThan(400);
    expect(lagging[0]!.lagMs).toBeLessThanOrEqual(440);
    const slowStats = hub.subscriberStats(KEY).find((s) => s.id === 'slow')!;
    expect(slowStats.dropping).toBe(true);
    expect(slowStats.dropEpisodes).toBe(1);
    expect(slowStats.droppedMessages).toBe(pushed - (slow.messages().length - 2));
    expect(hub.subscriberStats(KEY).find((s) => s.id === 'fast')!.droppedMessages).toBe(0);

    // the peer reads again: inter frames and audio are still skipped, the next keyframe resumes
    slow.drain();
    const before = slow.messages().length;
    clock = 9000;
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
    const { pub } = setup(500);
    const slow = new RecordingSink('slow');
    hub.subscribe(KEY, slow);
    clock = 1000;
    pub.push(video(avcFrame(true), 1000));
    hub.flush();
    slow.pendingBytes = 100_000; // the peer stopped reading
    clock = 1600;
    pub.push(video(avcFrame(false), 1600)); // 600 ms behind: starts the episode
    pub.push(video(AVC_SEQ_640, 1020)); // encoder reconfigured while the subscriber drops
    pub.push(video(avcFrame(true), 1640)); // still too slow: dropped
    slow.pendingBytes = 0;
    pub.push(video(avcFrame(true), 1680));
    await nextCycle();
    const msgs = slow.messages();
    expect(msgs.map(kind)).toEqual(['vseq', 'aseq', 'key', 'vseq', 'aseq', 'key']);
    expect(msgs[3]!.payload.equals(AVC_SEQ_640)).toBe(true);
    expect(msgs[5]!.timestamp).toBe(1680);
  });

  it('an audio-only stream resumes on an audio frame once the backlog is drained', async () => {
    clock = 0;
    hub = new StreamHub({ subscriber: { latencyBudgetMs: 100 }, now: () => clock });
    const pub = hub.publish(KEY, new TestPublisher('pub'));
    pub.push(audio(AAC_SEQ_44K, 0));
    const slow = new RecordingSink('slow');
    hub.subscribe(KEY, slow);
    pub.push(audio(aacFrame(), 20));
    hub.flush();
    slow.pendingBytes = 10_000;
    for (const ts of [140, 160]) {
      clock = ts;
      pub.push(audio(aacFrame(), ts));
    }
    slow.pendingBytes = 0;
    clock = 180;
    pub.push(audio(aacFrame(), 180));
    await nextCycle();
    expect(slow.messages().map((m) => m.timestamp)).toEqual([0, 20, 180]);
    expect(hub.subscriberStats(KEY)[0]).toMatchObject({ droppedMessages: 2, dropEpisodes: 1, dropping: false });
  });

  it('the byte bound (maxBacklogBytes) holds whatever the lag', async () => {
    clock = 0;
    hub = new StreamHub({ subscriber: { latencyBudgetMs: 60_000, maxBacklogBytes: 10_000 }, now: () => clock });
    const pub = hub.publish(KEY, new TestPublisher('pub'));
    const sink = new RecordingSink('s');
    hub.subscribe(KEY, sink);
    pub.push(video(avcFrame(true, 2000), 0));
    sink.pendingBytes = 9_000;
    clock = 40;
    pub.push(video(avcFrame(false, 2000), 40));
    await nextCycle();
    expect(hub.subscriberStats(KEY)[0]).toMatchObject({ droppedMessages: 1, dropEpisodes: 1 });
  });
});

/**
 * A transport whose peer reads `bytesPerMs` on the hub's clock: what a player reading at a steady speed
 * leaves in the server's socket buffer.
 */
class PacedSink extends RecordingSink {
  private held = 0;
  private at = 0;
  constructor(
    id: string,
    private readonly bytesPerMs: number,
  ) {
    super(id);
    this.at = clock;
    // the base class's plain field would shadow an accessor declared here
    Object.defineProperty(this, 'pendingBytes', { get: () => this.pending() });
  }
  private pending(): number {
    this.held = Math.max(0, this.held - (clock - this.at) * this.bytesPerMs);
    this.at = clock;
    return this.held;
  }
  override writev(buffers: Buffer[]): void {
    super.writev(buffers);
    this.pending();
    for (const b of buffers) this.held += b.length;
  }
}

/**
 * 2.5 s GOPs at 25 fps, ~2.2 Mbit/s as in the field report (a 40 kB keyframe, 10 kB inter frames) with an
 * audio frame after each, pushed at media pace.
 */
const FRAME_MS = 40;
const GOP_FRAMES = 63;
const KEY_BYTES = 40_000;
const INTER_BYTES = 10_000;
const GOP_BYTES = KEY_BYTES + (GOP_FRAMES - 1) * INTER_BYTES + GOP_FRAMES * 400;
const MEDIA_BYTES_PER_MS = GOP_BYTES / (GOP_FRAMES * FRAME_MS);

function pushLive(pub: { push: (m: ReturnType<typeof video>) => void }, fromFrame: number, frames: number, wallOffset = 0): void {
  for (let f = fromFrame; f < fromFrame + frames; f++) {
    const ts = f * FRAME_MS;
    clock = ts + wallOffset;
    pub.push(video(avcFrame(f % GOP_FRAMES === 0, f % GOP_FRAMES === 0 ? KEY_BYTES : INTER_BYTES), ts));
    pub.push(audio(aacFrame(400), ts + 1));
    hub.flush();
  }
}

describe('StreamHub: lag is delay behind live, not bytes queued at join', () => {
  function liveStream(latencyBudgetMs: number) {
    clock = 0;
    hub = new StreamHub({ subscriber: { latencyBudgetMs }, now: () => clock });
    const lagging: SubscriberLaggingEvent[] = [];
    hub.on('subscriberLagging', (e) => lagging.push(e));
    const pub = hub.publish(KEY, new TestPublisher('pub'));
    pub.push(video(AVC_SEQ_320, 0));
    pub.push(audio(AAC_SEQ_44K, 0));
    return { pub, lagging };
  }

  it('a reader at normal speed joining a full 2.5 s GOP (over the 1 s budget) is not dropped', async () => {
    const { pub, lagging } = liveStream(1000);
    // one GOP and most of the next: the cache holds ~2.4 s of media when the player joins
    pushLive(pub, 0, GOP_FRAMES + 60);
    expect(hub.streamStats(KEY)!.gopMessages).toBeGreaterThan(100);
    const player = new PacedSink('player', MEDIA_BYTES_PER_MS);
    hub.subscribe(KEY, player);
    expect(player.pendingBytes).toBeGreaterThan(MEDIA_BYTES_PER_MS * 2000);
    pushLive(pub, GOP_FRAMES + 60, 3 * GOP_FRAMES);
    await nextCycle();
    expect(lagging).toEqual([]);
    expect(hub.subscriberStats(KEY)[0]).toMatchObject({ droppedMessages: 0, dropEpisodes: 0 });
    // it still plays every frame from the joining keyframe on
    const videoTs = player.messages().filter((m) => m.type === 9 && m.payload[1] === 1).map((m) => m.timestamp);
    expect(videoTs[0]).toBe(GOP_FRAMES * FRAME_MS);
    expect(videoTs).toHaveLength(60 + 3 * GOP_FRAMES);
  });

  it("a player joining a cold edge (the origin's GOP arrives in one burst) at normal speed is not dropped", async () => {
    const { pub, lagging } = liveStream(1000);
    const player = new PacedSink('player', MEDIA_BYTES_PER_MS);
    hub.subscribe(KEY, player);
    // 2.4 s of media within the same millisecond, then live pace
    for (let f = 0; f < 60; f++) {
      pub.push(video(avcFrame(f === 0, f === 0 ? KEY_BYTES : INTER_BYTES), f * FRAME_MS));
      pub.push(audio(aacFrame(400), f * FRAME_MS + 1));
    }
    hub.flush();
    pushLive(pub, 60, 3 * GOP_FRAMES, -60 * FRAME_MS);
    await nextCycle();
    expect(lagging).toEqual([]);
    expect(hub.subscriberStats(KEY)[0]).toMatchObject({ droppedMessages: 0 });
  });

  it('a reader at half speed is dropped to the next keyframe once it is a budget behind, whatever it joined with', async () => {
    const { pub, lagging } = liveStream(1000);
    pushLive(pub, 0, GOP_FRAMES + 60);
    const slow = new PacedSink('slow', MEDIA_BYTES_PER_MS / 2);
    const fast = new PacedSink('fast', MEDIA_BYTES_PER_MS * 4);
    hub.subscribe(KEY, slow);
    hub.subscribe(KEY, fast);
    const joinedAt = clock;
    pushLive(pub, GOP_FRAMES + 60, 3 * GOP_FRAMES);
    await nextCycle();
    expect(lagging.map((e) => e.subscriberId)).toEqual(['slow']);
    // half speed falls behind by 0.5 s per second: over the 1 s budget within ~2 s (plus a keyframe's jump)
    expect(lagging[0]!.lagMs).toBeGreaterThan(1000);
    expect(hub.subscriberStats(KEY).find((s) => s.id === 'slow')!.droppedMessages).toBeGreaterThan(0);
    expect(hub.subscriberStats(KEY).find((s) => s.id === 'fast')).toMatchObject({ droppedMessages: 0, dropEpisodes: 0 });
    expect(clock - joinedAt).toBeGreaterThan(2000);
  });
});

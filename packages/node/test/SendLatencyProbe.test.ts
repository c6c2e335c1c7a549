/**
 * LatencyProbedHub: the hub the node runs, which stamps every Nth media message and lets each player's next write
 * observe the time since. What the server and the relays rely on: the subscription it hands out behaves as the
 * hub's own (key, the caller's sink, live, stats, unsubscribe), and a probe is observed once per player per stamp.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AVC_SEQ_320, avcFrame, video } from '../../media/test/support/flvTags.js';
import { RecordingSink } from '../../media/test/support/RecordingSink.js';
import { nextCycle, TestPublisher } from '../../media/test/support/TestPublisher.js';
import { LatencyProbedHub } from '../src/observability/SendLatencyProbe.js';

const hubs: LatencyProbedHub[] = [];
afterEach(() => {
  for (const h of hubs.splice(0)) h.close();
});

function probedHub(sampleEvery: number): { hub: LatencyProbedHub; observed: number[] } {
  const observed: number[] = [];
  const hub = new LatencyProbedHub({ mergeWindowMs: 0 }, { observe: (s) => observed.push(s) }, sampleEvery);
  hubs.push(hub);
  return { hub, observed };
}

describe('LatencyProbedHub', () => {
  it("hands out a subscription with the caller's sink that reports live, stats and unsubscribes", async () => {
    const { hub } = probedHub(2);
    const sink = new RecordingSink('player-1');
    const sub = hub.subscribe('live/cam', sink);
    expect(sub.key).toBe('live/cam');
    expect(sub.sink).toBe(sink);
    expect(sub.live).toBe(false);
    const pub = hub.publish('live/cam', new TestPublisher('pub-1'));
    expect(sub.live).toBe(true);
    pub.push(video(AVC_SEQ_320, 0));
    pub.push(video(avcFrame(true), 0));
    await nextCycle();
    expect(sink.messages().length).toBeGreaterThanOrEqual(2);
    expect(sub.stats()).toMatchObject({ id: 'player-1', key: 'live/cam', bytesOut: sink.bytesWritten });
    sub.unsubscribe();
    sub.unsubscribe();
    sink.clear();
    pub.push(video(avcFrame(false), 33));
    await nextCycle();
    expect(sink.bytesWritten).toBe(0);
    // The same sink may subscribe again and is the same identity for the hub.
    const again = hub.subscribe('live/cam', sink);
    expect(again.sink).toBe(sink);
    pub.push(video(avcFrame(true), 66));
    await nextCycle();
    expect(sink.bytesWritten).toBeGreaterThan(0);
  });

  it('observes each stamp once per player, at its next write', async () => {
    const { hub, observed } = probedHub(2);
    const a = new RecordingSink('a');
    const b = new RecordingSink('b');
    const pub = hub.publish('live/s', new TestPublisher('p'));
    hub.subscribe('live/s', a);
    hub.subscribe('live/s', b);
    pub.push(video(AVC_SEQ_320, 0));
    pub.push(video(avcFrame(true), 0)); // the second media message: stamped
    await nextCycle();
    expect(observed).toHaveLength(2);
    for (const s of observed) expect(s).toBeGreaterThanOrEqual(0);
    pub.push(video(avcFrame(false), 33)); // not stamped: nothing new to observe
    await nextCycle();
    expect(observed).toHaveLength(2);
    pub.push(video(avcFrame(false), 66)); // stamped again
    await nextCycle();
    expect(observed).toHaveLength(4);
  });
});

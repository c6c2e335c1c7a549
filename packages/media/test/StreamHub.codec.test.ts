import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamHub } from '../src/index.js';
import { AVC_SEQ_320, avcFrame, video } from './support/flvTags.js';
import { RecordingSink } from './support/RecordingSink.js';
import { nextCycle, TestPublisher } from './support/TestPublisher.js';

const KEY = 'live/codec';

/** The payload of the first `type` box in an MP4 file (boxes nest, so a byte search finds it at any depth). */
function mp4BoxPayload(file: Buffer, type: string): Buffer {
  const at = file.indexOf(Buffer.from(type, 'latin1'));
  if (at < 4) throw new Error(`no ${type} box`);
  const size = file.readUInt32BE(at - 4);
  return file.subarray(at + 4, at - 4 + size);
}

/** A legacy (codec id 7) coded frame: the bytes after the header are opaque to the hub. */
function codecId7Frame(keyframe: boolean, size = 300): Buffer {
  const head = Buffer.from([keyframe ? 0x17 : 0x27, 0x01, 0, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(size, 5);
  return Buffer.concat([head, Buffer.alloc(size, 0x26)]);
}

describe('video codec of a stream published as HEVC under legacy codec id 7', () => {
  let dir: string;
  let hvcC: Buffer;
  let hub: StreamHub;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'media-codec-'));
    const out = join(dir, 'x265.mp4');
    execFileSync(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=426x240:rate=25', '-frames:v', '3',
        '-c:v', 'libx265', '-x265-params', 'log-level=none', '-pix_fmt', 'yuv420p', '-f', 'mp4', out],
      { timeout: 60_000 },
    );
    hvcC = mp4BoxPayload(readFileSync(out), 'hvcC');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => hub?.close());

  it('reports hevc for the sequence header and every coded frame after it, and forgets it on republish', async () => {
    hub = new StreamHub();
    const sink = new RecordingSink('p');
    hub.subscribe(KEY, sink);
    const pub = hub.publish(KEY, new TestPublisher('obs-fork'));
    pub.push(video(Buffer.concat([Buffer.from([0x17, 0, 0, 0, 0]), hvcC]), 0));
    expect(hub.streamStats(KEY)!.video).toMatchObject({ codec: 'hevc', width: 426, height: 240 });
    for (let i = 0; i < 10; i++) {
      pub.push(video(codecId7Frame(i === 0), i * 40));
      // the frames alone look like AVC; the stream's codec must not flip back
      expect(hub.streamStats(KEY)!.video!.codec).toBe('hevc');
    }
    await nextCycle();
    // the frames still reach the player untouched (10 frames after the sequence header)
    expect(sink.messages().filter((m) => m.type === 9)).toHaveLength(11);

    pub.unpublish();
    const pub2 = hub.publish(KEY, new TestPublisher('plain-avc'));
    // a new publish that sends codec id 7 frames without a sequence header first is AVC again
    pub2.push(video(avcFrame(true), 0));
    expect(hub.streamStats(KEY)!.video!.codec).toBe('avc');
    pub2.push(video(AVC_SEQ_320, 40));
    pub2.push(video(avcFrame(false), 80));
    expect(hub.streamStats(KEY)!.video).toMatchObject({ codec: 'avc', width: 320, height: 240 });
  });
});

// Publishes FLV tags in real time (each tag when its timestamp is due on the
// wall clock), looping the file with increasing timestamps, and records the
// wall-clock send time of every video timestamp so players can compute latency.
import { BenchRtmpClient, nowMs } from './BenchRtmpClient.mjs';
import { FlvTagType, isSequenceHeaderTag } from './BenchMedia.mjs';
import { encodeAmf0, MessageType } from '@rtmp-cluster/rtmp';

const PUBLISH_CHUNK_SIZE = 4096;
const SET_DATA_FRAME = encodeAmf0(['@setDataFrame']);

export class PacedPublisher {
  /** @param {{ port: number, app: string, stream: string, media: { tags: object[], durationMs: number } }} o */
  constructor(o) {
    this.o = o;
    this.client = null;
    this.streamId = 0;
    this.timer = null;
    this.running = false;
    /** video timestamp -> send time (nowMs) */
    this.videoSendTimes = new Map();
    /** video timestamps of keyframes (the big frames: their delivery time is the latency's tail) */
    this.keyframeTimestamps = new Set();
    this.bytesSent = 0;
    this.lateMs = 0; // worst lateness of a send vs its due time, to show the publisher kept pace
    this.failure = null;
  }

  async start() {
    this.client = new BenchRtmpClient({
      port: this.o.port,
      app: this.o.app,
      outChunkSize: PUBLISH_CHUNK_SIZE,
      onClose: (err) => {
        if (this.running) this.failure = err ?? new Error('publisher connection closed by server');
        this.stop();
      },
    });
    await this.client.connect();
    this.streamId = await this.client.publish(this.o.stream);
    this.running = true;
    this.startedAt = nowMs();
    this.loop = 0;
    this.index = 0;
    this.tick();
  }

  tick() {
    if (!this.running) return;
    const { tags, durationMs } = this.o.media;
    const now = nowMs();
    let guard = tags.length; // at most one pass over the file per tick
    for (;;) {
      if (this.index >= tags.length) {
        this.index = 0;
        this.loop++;
      }
      const tag = tags[this.index];
      const timestamp = tag.timestamp + this.loop * durationMs;
      const due = this.startedAt + timestamp;
      if (due > now || guard-- <= 0) {
        this.timer = setTimeout(() => this.tick(), Math.max(0, due - nowMs()));
        return;
      }
      this.index++;
      if (this.loop > 0 && (tag.type === FlvTagType.Script || isSequenceHeaderTag(tag))) continue;
      this.sendTag(tag, timestamp);
      this.lateMs = Math.max(this.lateMs, nowMs() - due);
    }
  }

  sendTag(tag, timestamp) {
    let msg;
    if (tag.type === FlvTagType.Video) {
      msg = { csid: 6, type: MessageType.Video, timestamp, streamId: this.streamId, payload: tag.data };
    } else if (tag.type === FlvTagType.Audio) {
      msg = { csid: 4, type: MessageType.Audio, timestamp, streamId: this.streamId, payload: tag.data };
    } else if (tag.type === FlvTagType.Script) {
      const payload = Buffer.concat([SET_DATA_FRAME, tag.data]);
      msg = { csid: 5, type: MessageType.DataAmf0, timestamp: 0, streamId: this.streamId, payload };
    } else {
      return;
    }
    const wire = this.client.encoder.encode(msg);
    const sentAt = nowMs();
    this.client.socket.write(wire);
    this.bytesSent += wire.length;
    if (msg.type === MessageType.Video) {
      this.videoSendTimes.set(timestamp, sentAt);
      if (tag.data[0] >> 4 === 1 && !isSequenceHeaderTag(tag)) this.keyframeTimestamps.add(timestamp);
    }
  }

  /** [timestamps, sendTimes, keyframe flags] of video frames sent in [from, to] (nowMs), as arrays for postMessage. */
  videoSendTable(from = 0, to = Infinity) {
    const ts = [];
    const at = [];
    const key = [];
    for (const [t, s] of this.videoSendTimes) {
      if (s >= from && s <= to) {
        ts.push(t);
        at.push(s);
        key.push(this.keyframeTimestamps.has(t));
      }
    }
    return { ts, at, key };
  }

  stop() {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.client?.close(null);
  }
}

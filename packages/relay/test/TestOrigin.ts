/**
 * An origin for relay tests: an in-process RtmpServer over a StreamHub with a recording policy, and a
 * synthetic publisher pushing AVC sequence header + keyframes + inter frames and AAC straight into its hub.
 */
import { StreamHub, type Publication } from '@rtmp-cluster/media';
import { MessageType } from '@rtmp-cluster/rtmp';
import { RtmpServer, type AccessDecision, type PlayRequest, type PublishRequest, type StreamAccessPolicy } from '@rtmp-cluster/server';
import pino from 'pino';

export class RecordingPolicy implements StreamAccessPolicy {
  readonly plays: PlayRequest[] = [];
  async onPublishRequest(_r: PublishRequest): Promise<AccessDecision> {
    return { allow: true };
  }
  async onPlayRequest(r: PlayRequest): Promise<AccessDecision> {
    this.plays.push(r);
    return { allow: true };
  }
}

export const AVC_SEQ = (marker: number): Buffer => Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, marker, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, marker, 1, 0, 4, 0x68, 0xee, 0x3c, 0x80]);
const AAC_SEQ = Buffer.from([0xaf, 0, 0x11, 0x90]);

export class TestOrigin {
  readonly hub = new StreamHub();
  readonly policy = new RecordingPolicy();
  readonly server = new RtmpServer({ hub: this.hub, logger: pino({ level: 'silent' }), policy: this.policy, playWaitMs: 3000 });
  port = 0;
  private timer: NodeJS.Timeout | undefined;
  private pub: Publication | undefined;

  async start(): Promise<this> {
    this.port = (await this.server.listen(0, '127.0.0.1')).port;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Publishes key with timestamps from `startTs`, 25 video + ~43 audio frames per second, keyframe every 10. */
  publish(key: string, startTs: number, marker = 1): void {
    this.pub = this.hub.publish(key, { id: `pub-${marker}`, close: () => this.stopPublishing() });
    const push = (type: number, ts: number, payload: Buffer): void =>
      this.pub?.push({ kind: type === MessageType.Audio ? 'audio' : 'video', message: { csid: type === MessageType.Audio ? 4 : 6, type, timestamp: ts, streamId: 1, payload } });
    push(MessageType.Video, startTs, AVC_SEQ(marker));
    push(MessageType.Audio, startTs, AAC_SEQ);
    let frame = 0;
    const t0 = Date.now();
    this.timer = setInterval(() => {
      const ts = startTs + (Date.now() - t0);
      const key = frame % 10 === 0;
      push(MessageType.Video, ts, Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, marker, 2, 3, 4]));
      push(MessageType.Audio, ts, Buffer.from([0xaf, 1, marker, 0x21]));
      frame++;
    }, 40);
  }

  stopPublishing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pub?.unpublish();
    this.pub = undefined;
  }

  async close(): Promise<void> {
    this.stopPublishing();
    await this.server.close();
    this.hub.close();
  }
}

/**
 * A scripted Enhanced RTMP publisher on the project's own client session (TestRtmpClient: ClientHandshake,
 * ChunkEncoder, ClientSession): metadata, the video (av01 or hvc1) and Opus sequence starts, then the frames in real time,
 * looping with timestamps that keep increasing.
 */
import { fourCcToNumber } from '@rtmp-cluster/rtmp';
import { TestRtmpClient } from '../../e2e/support/TestRtmpClient.js';
import type { Av1OpusMedia } from './av1OpusMedia.js';

export interface ErtmpPublisher {
  client: TestRtmpClient;
  /** frames sent so far */
  sent(): number;
  stop(): void;
}

export async function publishErtmp(url: string, media: Av1OpusMedia): Promise<ErtmpPublisher> {
  const u = new URL(url);
  const name = u.pathname.split('/').slice(2).join('/');
  const videoFourCc = media.videoConfig.toString('latin1', 1, 5);
  const client = await TestRtmpClient.connect(url, { connectFields: { fourCcList: [videoFourCc, 'Opus'] } });
  const sid = await client.publish(name);
  await client.waitForStatus('NetStream.Publish.Start', 8000);
  const s = client.session;
  s.sendMetadata(sid, { width: 320, height: 240, framerate: 25, videocodecid: fourCcToNumber(videoFourCc), audiocodecid: fourCcToNumber('Opus'), audiosamplerate: 48000 });
  s.sendMedia(sid, 9, 0, media.videoConfig);
  s.sendMedia(sid, 8, 0, media.audioConfig);
  let stopped = false;
  let sent = 0;
  const t0 = performance.now();
  let loop = 0;
  let i = 0;
  const tick = (): void => {
    if (stopped || client.closed) return;
    const now = performance.now() - t0;
    for (;;) {
      const f = media.frames[i]!;
      const ts = loop * media.durationMs + f.timestamp;
      if (ts > now) break;
      s.sendMedia(sid, f.kind === 'video' ? 9 : 8, ts, f.payload);
      sent++;
      if (++i === media.frames.length) {
        i = 0;
        loop++;
      }
    }
    setTimeout(tick, 10);
  };
  tick();
  return {
    client,
    sent: () => sent,
    stop: () => {
      stopped = true;
      client.close();
    },
  };
}

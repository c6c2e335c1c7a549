import type { VideoCodec } from './FourCc.js';
import type { VideoTagInfo } from './VideoTag.js';

/**
 * Per-stream memory of what legacy codec id 7 really carries. parseVideoTag
 * can only recognise HEVC sent under the AVC codec id (old OBS forks) on the
 * sequence header; the coded frames that follow look like AVC. Feed every
 * video tag of one stream through observe() to get the codec it belongs to.
 */
export class VideoCodecTracker {
  private codecId7: VideoCodec = 'avc';

  /** The codec of this tag, taking the stream's last codec id 7 sequence header into account. */
  observe(info: VideoTagInfo): VideoCodec {
    if (info.enhanced || info.codecId !== 7) return info.codec;
    if (info.isSequenceHeader) this.codecId7 = info.codec;
    return this.codecId7;
  }

  /** A new publish starts: forget the previous sequence header. */
  reset(): void {
    this.codecId7 = 'avc';
  }
}

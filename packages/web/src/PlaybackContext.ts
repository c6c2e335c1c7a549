import type { Logger } from '@rtmp-cluster/core';
import type { StreamHub } from '@rtmp-cluster/media';
import type { PlayGate } from './PlayGate.js';
import type { WebViewers } from './WebViewers.js';

/** What a playback route (HTTP-FLV, WS-FLV, LL-HLS) needs from the node's web side; WebService provides it. */
export interface PlaybackContext {
  readonly gate: PlayGate;
  readonly hub: StreamHub;
  readonly viewers: WebViewers;
  readonly logger: Logger;
}

/**
 * The web side of a node that serves players: the listener, its route table, the play gate (auth, edge
 * pull, publisher wait) and the viewer registry, with the built-in routes registered. Other protocols
 * (LL-HLS) add their routes to `router` and their viewers to `viewers` before listen().
 */
import type { AddressInfo } from 'node:net';
import { HlsService, partHoldBackSeconds, type HlsServiceOptions } from '@rtmp-cluster/hls';
import type { StreamHub } from '@rtmp-cluster/media';
import type { StreamAccessPolicy } from '@rtmp-cluster/server';
import type { Logger } from '@rtmp-cluster/core';
import { flvPlaybackRoute } from './flv/FlvPlayback.js';
import { hlsPlayback } from './hls/HlsPlayback.js';
import type { PlaybackContext } from './PlaybackContext.js';
import { PlayGate } from './PlayGate.js';
import { playerAssetsRoute } from './player/PlayerAssets.js';
import { playerPageRoute } from './player/PlayerPage.js';
import { WebRouter } from './WebRouter.js';
import { WebServer, type WebServerOptions } from './WebServer.js';
import { WebViewers } from './WebViewers.js';

export interface WebServiceOptions extends Omit<WebServerOptions, 'router'> {
  hub: StreamHub;
  policy: StreamAccessPolicy;
  playWaitMs: number;
  /** LL-HLS tuning and the registry's epochs (cluster nodes); the hub, logger and session hook are the service's */
  hls?: Omit<HlsServiceOptions, 'hub' | 'logger' | 'onSessionEnded'>;
}

export class WebService implements PlaybackContext {
  readonly router = new WebRouter();
  readonly gate: PlayGate;
  readonly viewers = new WebViewers();
  readonly server: WebServer;
  readonly hls: HlsService;

  constructor(readonly options: WebServiceOptions) {
    this.gate = new PlayGate({ hub: options.hub, policy: options.policy, playWaitMs: options.playWaitMs });
    this.server = new WebServer({ ...options, router: this.router });
    // A viewer whose stream stopped (origin failover, republish) waits as long as a new play would.
    this.router.add(flvPlaybackRoute(this, { republishWaitMs: Math.max(options.playWaitMs, 5000) }));
    const hls = hlsPlayback(this, () => this.hls);
    this.hls = new HlsService({ ...options.hls, hub: options.hub, logger: options.logger, onSessionEnded: (s) => hls.sessionEnded(s) });
    this.router.add(hls.route);
    this.router.add(playerPageRoute({ partTargetSeconds: this.hls.playlist.partTargetSeconds, partHoldBackSeconds: partHoldBackSeconds(this.hls.playlist) }));
    this.router.add(playerAssetsRoute());
  }

  get hub(): StreamHub {
    return this.options.hub;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return this.server.listen(port, host);
  }

  close(): Promise<void> {
    this.hls.close();
    return this.server.close();
  }
}

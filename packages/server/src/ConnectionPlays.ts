/**
 * What one connection plays: a play request goes through the access gate into a hub subscription. A play
 * of a stream nobody publishes yet waits up to playWaitMs for a publisher (then StreamNotFound); once
 * started, a play outlives its publisher (UnpublishNotify) and continues when the stream is republished.
 */
import type { Logger } from '@rtmp-cluster/core';
import type { SessionPlayRequest, StreamEndEvent } from '@rtmp-cluster/rtmp';
import type { StreamStartedInfo, StreamStopReason, Subscription } from '@rtmp-cluster/media';
import type { ConnectionOutput } from './ConnectionOutput.js';
import type { ConnectionContext } from './ConnectionTypes.js';
import { PlayerSink, type PlayerStreamEvents } from './PlayerSink.js';
import type { StreamAccessGate } from './StreamAccessGate.js';
import type { PlayRequest } from './StreamAccessPolicy.js';

interface ActivePlay {
  streamId: number;
  key: string;
  request: PlayRequest;
  subscription: Subscription | undefined;
  /** Play.Start was sent (the publisher was live at play time, or arrived while we waited) */
  started: boolean;
  waitTimer: NodeJS.Timeout | undefined;
}

export class ConnectionPlays implements PlayerStreamEvents {
  private readonly active = new Map<number, ActivePlay>();

  constructor(
    private readonly conn: ConnectionContext,
    private readonly gate: StreamAccessGate,
    private readonly output: ConnectionOutput,
  ) {}

  get count(): number {
    return this.active.size;
  }

  keys(): string[] {
    return [...this.active.values()].map((p) => p.key);
  }

  async request(req: SessionPlayRequest): Promise<void> {
    const conn = this.conn;
    const base = this.gate.streamRequest(req, 'play');
    if (base === undefined) return;
    const request: PlayRequest = { ...base, start: req.start };
    const key = request.key;
    const log = conn.streamLog({ stream: key });
    await this.gate.ask({ kind: 'play', request }, req.streamId, log, () => {
      const session = conn.session;
      const live = conn.host.hub.isLive(key);
      if (live ? !session.acceptPlay(req.streamId) : session.stream(req.streamId)?.state !== 'playPending') {
        this.gate.playEnded(request);
        return;
      }
      // A message stream that plays again (after closeStream, or a pending play the client abandoned)
      // must not leave its previous subscription behind.
      this.end(req.streamId);
      const play: ActivePlay = { streamId: req.streamId, key, request, subscription: undefined, started: live, waitTimer: undefined };
      // Registered before subscribe: a publisher may start synchronously inside it.
      this.active.set(req.streamId, play);
      conn.streamStarted('player', key);
      try {
        const sink = new PlayerSink(`${conn.connId}/${req.streamId}`, req.streamId, this.output, this, conn.fourCcs);
        play.subscription = conn.host.hub.subscribe(key, sink);
      } catch (err) {
        this.active.delete(req.streamId);
        this.gate.playEnded(request);
        const message = err instanceof Error ? err.message : String(err);
        if (!live) session.rejectPlay(req.streamId, 'NetStream.Play.Failed', message);
        else session.sendStatus(req.streamId, 'error', 'NetStream.Play.Failed', message);
        log.warn({ err: message }, 'play failed: could not subscribe');
        return;
      }
      if (play.started) {
        log.info({ start: req.start }, 'play started');
        this.logWithheld(key, log);
        return;
      }
      const waitMs = conn.host.options.playWaitMs;
      log.info({ waitMs }, 'play waits for a publisher');
      const notFound = (): void => {
        conn.guard(() => {
          if (this.active.get(req.streamId) !== play || play.started) return;
          play.waitTimer = undefined;
          this.active.delete(req.streamId);
          play.subscription?.unsubscribe();
          session.playNotFound(req.streamId, `No publisher for ${key} within ${waitMs} ms`);
          this.gate.playEnded(request);
          log.info({ waitMs }, 'play failed: stream not found');
        });
      };
      if (waitMs <= 0) notFound();
      else {
        play.waitTimer = setTimeout(notFound, waitMs);
        play.waitTimer.unref();
      }
    });
  }

  /** The client ended a play (closeStream, deleteStream, a new play on the same message stream). */
  ended(ev: StreamEndEvent): void {
    if (this.end(ev.streamId)) this.conn.log.info({ streamId: ev.streamId, reason: ev.reason }, 'play ended');
  }

  /** Server draining: what plays is told the stream ended; a play still waiting gets StreamNotFound. */
  shutdown(): void {
    for (const play of this.active.values()) {
      if (play.started) this.conn.session.notifyUnpublished(play.streamId);
      else this.conn.session.playNotFound(play.streamId, 'Server shutting down');
    }
  }

  /** The connection is closing: ends every play. */
  endAll(): void {
    for (const streamId of [...this.active.keys()]) this.end(streamId);
  }

  // PlayerStreamEvents (called by the hub through PlayerSink; must not throw)

  /** Says so when the stream has a codec the player did not declare (it gets none of those tags: PlayerTag). */
  private logWithheld(key: string, log: Logger): void {
    const stats = this.conn.host.hub.streamStats(key);
    const withheld = this.conn.fourCcs.withheld([stats?.video?.codec, stats?.audio?.codec]);
    if (withheld.length > 0) {
      log.info({ withheld, declared: this.conn.fourCcs.id }, `the player did not declare ${withheld.join(', ')} in its connect fourCcList: no tags of ${withheld.length > 1 ? 'those codecs' : 'that codec'} are sent to it`);
    }
  }

  playerStreamStarted(streamId: number, info: StreamStartedInfo): void {
    this.conn.guard(() => {
      const play = this.active.get(streamId);
      if (!play) return;
      if (play.started) {
        this.conn.session.notifyPublished(streamId);
        this.conn.log.info({ stream: play.key, publisherId: info.publisherId }, 'stream republished: play continues');
        return;
      }
      if (play.waitTimer) clearTimeout(play.waitTimer);
      play.waitTimer = undefined;
      play.started = true;
      if (!this.conn.session.acceptPlay(streamId)) {
        this.end(streamId);
        return;
      }
      this.conn.log.info({ stream: play.key, publisherId: info.publisherId }, 'publisher arrived: play started');
    });
  }

  playerStreamStopped(streamId: number, reason: StreamStopReason): void {
    this.conn.guard(() => {
      const play = this.active.get(streamId);
      if (!play || !play.started) return;
      this.conn.session.notifyUnpublished(streamId);
      this.conn.log.info({ stream: play.key, reason }, 'publisher left: sent UnpublishNotify, waiting for a republish');
    });
  }

  /** Releases what a play holds (subscription, wait timer, policy). Returns false if there was none. */
  private end(streamId: number): boolean {
    const play = this.active.get(streamId);
    if (!play) return false;
    this.active.delete(streamId);
    if (play.waitTimer) clearTimeout(play.waitTimer);
    play.subscription?.unsubscribe();
    this.gate.playEnded(play.request);
    return true;
  }
}

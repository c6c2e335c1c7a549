/**
 * The edge side of one stream: finds the origin that owns it, pulls it over one RTMP connection and feeds a
 * hub Publication that every player of the stream on this edge shares. When the upstream goes away (origin
 * died, publisher left or moved, a newer epoch appeared) the puller re-resolves and pulls again while KEEPING
 * the same Publication, so players stay connected: they see a gap, then the new sequence headers; the hub's
 * TimestampRepairer rebases the new upstream's timestamps onto the running timeline. Only when no upstream
 * comes back within `holdMs` is the Publication ended (players then get UnpublishNotify).
 */
import { EventEmitter } from 'node:events';
import { isHubError, type Publication, type PublishedMessage, type PublisherCloseReason, type StreamHub } from '@rtmp-cluster/media';
import type { ProtocolLimits } from '@rtmp-cluster/rtmp';
import { Backoff, type BackoffOptions } from './Backoff.js';
import { RelayError, type RelayErrorCode } from './RelayError.js';
import type { RelayMetrics, RelayRepullReason } from './RelayMetrics.js';
import { formatStreamKey, silentLogger, type Logger } from '@rtmp-cluster/core';
import { UpstreamConnection } from './UpstreamConnection.js';
import { sameUpstream, type UpstreamTarget } from './UpstreamTarget.js';

/** Default name of the connect command object field carrying the relay credential (auth's RELAY_TOKEN_FIELD). */
export const DEFAULT_RELAY_TOKEN_FIELD = 'rtmpcRelayToken';

export type RelayPullerState =
  /** created, not started */
  | 'idle'
  /** asking the locator where the stream is */
  | 'resolving'
  /** nobody publishes it (or the registry is unreachable): polling with backoff, or waiting for offer()/wake() */
  | 'waiting'
  /** dialing an origin, waiting for Play.Start */
  | 'connecting'
  /** media flows */
  | 'live'
  /** an upstream failed: pausing before the next attempt */
  | 'backoff'
  | 'stopped';

export interface RelayPullerOptions {
  hub: StreamHub;
  /** the stream as the origin knows it: connect app and play name */
  app: string;
  name: string;
  /** hub key on this edge, default `${app}/${name}` */
  key?: string;
  /**
   * Where is the stream published now? null = nowhere. May throw (e.g. registry unavailable): the puller
   * retries with backoff and reports the error through `lastResolveError`.
   */
  locate: (key: string) => Promise<UpstreamTarget | null>;
  /** drop any cached location of key (called when an upstream failed, before re-resolving) */
  forget?: (key: string) => void;
  /** RTMPC_RELAY_TOKEN, presented in the connect command object */
  relayToken?: string;
  relayTokenField?: string;
  /** id of this relay in logs and as the hub publisher id, default `relay:<key>` */
  id?: string;
  logger?: Logger;
  /** retry pause after a failed upstream (unreachable, refused), default 100 ms .. 5 s with jitter */
  retryBackoff?: BackoffOptions;
  /** poll interval while nobody publishes the stream (NATS may be down), default 250 ms .. 2 s with jitter */
  pollBackoff?: BackoffOptions;
  connectTimeoutMs?: number;
  startTimeoutMs?: number;
  stallTimeoutMs?: number;
  /** keep the Publication (players connected, waiting) this long without an upstream, default 10 000 ms */
  holdMs?: number;
  /** while live, check the locator this often for a newer owner (covers missed events), default 5000 ms; 0 = off */
  verifyEveryMs?: number;
  limits?: Partial<ProtocolLimits>;
  /** pull / re-pull counters (the node's metrics) */
  metrics?: RelayMetrics;
}

export interface RelayPullerEvents {
  state: [RelayPullerState];
  /** media started flowing from an upstream (first time, or again after a switch) */
  live: [UpstreamTarget];
  /** an upstream ended (the puller goes on unless stopped) */
  upstreamEnded: [{ target: UpstreamTarget; error: RelayError; started: boolean }];
  /** the puller stopped for good */
  stopped: [RelayError];
}

export interface RelayPullerStats {
  key: string;
  state: RelayPullerState;
  upstream: UpstreamTarget | null;
  /** upstream connections opened since start */
  pulls: number;
  /** upstreams that delivered Play.Start */
  pullsStarted: number;
  /** times the upstream changed while players were kept */
  switches: number;
  bytesReceived: number;
  messagesReceived: number;
  lastError: string | null;
}

/** Offer semantics: an event names a candidate; the registry is authoritative. */
export interface OfferOptions {
  /** true when the target comes from the registry itself (trusted even with a lower epoch, e.g. after a Redis reset) */
  authoritative?: boolean;
}

export class RelayPuller extends EventEmitter<RelayPullerEvents> {
  readonly key: string;
  readonly id: string;
  private readonly o: RelayPullerOptions;
  private readonly log: Logger;
  private readonly retry: Backoff;
  private readonly poll: Backoff;
  private _state: RelayPullerState = 'idle';
  private publication: Publication | undefined;
  private upstream: UpstreamConnection | undefined;
  private target: UpstreamTarget | undefined;
  /** the last upstream that delivered media (the epoch fence for offers) */
  private liveTarget: UpstreamTarget | undefined;
  private pendingOffer: UpstreamTarget | undefined;
  private wakeSleep: (() => void) | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private verifyTimer: NodeJS.Timeout | undefined;
  private verifying = false;
  private readonly liveWaiters = new Set<() => void>();
  private _lastResolveError: unknown;
  private _lastUpstreamError: RelayError | undefined;
  private counters = { pulls: 0, pullsStarted: 0, switches: 0, bytes: 0, messages: 0 };
  private stopError: RelayError | undefined;
  /** set when a running upstream ended: the next dial is a re-pull for this reason */
  private repullReason: RelayRepullReason | undefined;

  constructor(options: RelayPullerOptions) {
    super();
    this.o = options;
    this.key = options.key ?? formatStreamKey(options.app, options.name);
    this.id = options.id ?? `relay:${this.key}`;
    this.log = (options.logger ?? silentLogger).child({ stream: this.key, relayId: this.id });
    this.retry = new Backoff({ initialMs: 100, maxMs: 5000, ...options.retryBackoff });
    this.poll = new Backoff({ initialMs: 250, maxMs: 2000, ...options.pollBackoff });
  }

  get state(): RelayPullerState {
    return this._state;
  }
  /** media flows now (the hub has this relay as the stream's publisher) */
  get live(): boolean {
    return this._state === 'live';
  }
  get stopped(): boolean {
    return this._state === 'stopped';
  }
  /** the upstream being pulled or dialed */
  get currentUpstream(): UpstreamTarget | undefined {
    return this.target;
  }
  /** why the last lookup failed (undefined after a successful one) */
  get lastResolveError(): unknown {
    return this._lastResolveError;
  }
  get lastUpstreamError(): RelayError | undefined {
    return this._lastUpstreamError;
  }

  stats(): RelayPullerStats {
    const c = this.counters;
    return {
      key: this.key,
      state: this._state,
      upstream: this.target ?? null,
      pulls: c.pulls,
      pullsStarted: c.pullsStarted,
      switches: c.switches,
      bytesReceived: c.bytes + (this.upstream?.bytesReceived ?? 0),
      messagesReceived: c.messages + (this.upstream?.messagesReceived ?? 0),
      lastError: this._lastUpstreamError?.message ?? (this._lastResolveError as Error | undefined)?.message ?? null,
    };
  }

  start(): void {
    if (this._state !== 'idle') return;
    this.log.debug({}, 'relay starting');
    void this.run().catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'relay loop failed');
      this.stop('RELAY_STOPPED', `relay loop failed: ${(err as Error).message}`);
    });
  }

  /**
   * A candidate upstream (from a stream.published event, or the registry). Switches at once when it is a
   * different origin with a newer epoch (or authoritative), or when nothing is being pulled right now.
   */
  offer(target: UpstreamTarget, options: OfferOptions = {}): void {
    if (this._state === 'stopped') return;
    const current = this.target;
    if (current && sameUpstream(current, target)) {
      // Same origin re-claimed (e.g. after a registry restart): nothing to reconnect.
      if (target.epoch > current.epoch || options.authoritative) this.target = { ...current, epoch: target.epoch };
      if (this.liveTarget && sameUpstream(this.liveTarget, target)) this.liveTarget = this.target;
      if (this._state !== 'waiting' && this._state !== 'backoff') return;
    }
    const fence = this.liveTarget ?? current;
    if (fence && !options.authoritative && target.epoch <= fence.epoch && !sameUpstream(fence, target) && this.upstream?.started) {
      this.log.debug({ offered: target, current: fence }, 'ignoring an older upstream offer');
      return;
    }
    this.pendingOffer = target;
    if (this.upstream && !sameUpstream(this.target, target)) {
      this.log.info({ from: this.target, to: target }, 'switching upstream');
      this.upstream.close('UPSTREAM_REPLACED', `replaced by ${target.ownerId} (${target.address}, epoch ${target.epoch})`);
    } else {
      this.wake();
    }
  }

  /** Re-resolve now if the puller is waiting or backing off (e.g. NATS reconnected, a publish event). */
  wake(): void {
    const w = this.wakeSleep;
    this.wakeSleep = undefined;
    w?.();
  }

  /** Resolves true once live, false after timeoutMs or when the puller stops. */
  waitLive(timeoutMs: number): Promise<boolean> {
    if (this._state === 'live') return Promise.resolve(true);
    if (this._state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.liveWaiters.delete(done);
        resolve(this._state === 'live');
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      timer.unref();
      this.liveWaiters.add(done);
    });
  }

  /** Stops for good: closes the upstream, ends the Publication (players get UnpublishNotify). Idempotent. */
  stop(code: 'RELAY_STOPPED' = 'RELAY_STOPPED', message = 'relay stopped'): void {
    if (this._state === 'stopped') return;
    this.stopError = new RelayError(code, message);
    this.setState('stopped');
    this.clearHold();
    this.stopVerify();
    this.upstream?.close('RELAY_STOPPED', message);
    this.upstream = undefined;
    const pub = this.publication;
    this.publication = undefined;
    pub?.unpublish();
    this.wake();
    this.notifyLiveWaiters();
    this.log.info({ reason: message, ...this.countersForLog() }, 'relay stopped');
    this.emit('stopped', this.stopError);
  }

  // ---------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    while (this._state !== 'stopped') {
      let target: UpstreamTarget | null = null;
      if (this.pendingOffer) {
        target = this.pendingOffer;
        this.pendingOffer = undefined;
      } else {
        this.setState('resolving');
        try {
          target = await this.o.locate(this.key);
          this._lastResolveError = undefined;
        } catch (err) {
          this._lastResolveError = err;
          this.log.warn({ err: (err as Error).message }, 'stream lookup failed');
        }
        if (this.stopped) return;
        if (this.pendingOffer) continue;
      }
      if (!target) {
        this.setState('waiting');
        await this.sleep(this.poll.next());
        continue;
      }
      this.poll.reset();
      const outcome = await this.pull(target);
      if (this.stopped) return;
      this.o.forget?.(this.key);
      if (this.pendingOffer) continue;
      if (outcome.started) this.retry.reset();
      this.setState('backoff');
      // After a stream that was running, re-resolve almost at once; repeated failures back off.
      await this.sleep(outcome.started ? Math.round(Math.random() * 50) : this.retry.next());
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.wakeSleep === wake) this.wakeSleep = undefined;
        resolve();
      }, ms);
      timer.unref();
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.wakeSleep = wake;
    });
  }

  /** One upstream connection, from dial to end. */
  private pull(target: UpstreamTarget): Promise<{ started: boolean }> {
    this.setState('connecting');
    this.target = target;
    this.counters.pulls++;
    this.o.metrics?.relayPullStarted(this.key);
    if (this.repullReason !== undefined) {
      // Counted once per lost upstream (not per retry) and only while players are kept on the Publication.
      if (this.publication) this.o.metrics?.relayRepull(this.key, this.repullReason);
      this.repullReason = undefined;
    }
    const connLog = this.log.child({ upstream: target.address, originId: target.ownerId, epoch: target.epoch, pull: this.counters.pulls });
    return new Promise((resolve) => {
      let conn: UpstreamConnection;
      try {
        conn = new UpstreamConnection({
          target,
          app: this.o.app,
          name: this.o.name,
          relayToken: this.o.relayToken,
          relayTokenField: this.o.relayTokenField ?? DEFAULT_RELAY_TOKEN_FIELD,
          connectTimeoutMs: this.o.connectTimeoutMs,
          startTimeoutMs: this.o.startTimeoutMs,
          stallTimeoutMs: this.o.stallTimeoutMs,
          limits: this.o.limits,
          logger: connLog,
          onStarted: () => this.upstreamStarted(conn, target, connLog),
          onMessage: (ev) => this.forward(conn, ev),
          onEnded: (error, started) => {
            if (this.upstream === conn) this.upstream = undefined;
            this.counters.bytes += conn.bytesReceived;
            this.counters.messages += conn.messagesReceived;
            this._lastUpstreamError = error;
            this.upstreamEnded(target, error, started, connLog);
            resolve({ started });
          },
        });
      } catch (err) {
        const error = new RelayError('UPSTREAM_UNREACHABLE', `bad upstream address: ${(err as Error).message}`, { cause: err });
        this._lastUpstreamError = error;
        connLog.warn({ code: error.code }, error.message);
        resolve({ started: false });
        return;
      }
      this.upstream = conn;
    });
  }

  private upstreamStarted(conn: UpstreamConnection, target: UpstreamTarget, log: Logger): void {
    if (this.upstream !== conn || this.stopped) return;
    if (!this.publication) {
      try {
        this.publication = this.o.hub.publish(this.key, {
          id: this.id,
          relayed: true,
          close: (reason: PublisherCloseReason) => this.publicationClosed(reason),
        });
      } catch (err) {
        const why = isHubError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
        log.error({ err: why }, 'relay cannot publish into the hub');
        this.stop('RELAY_STOPPED', `hub refused the relay: ${why}`);
        return;
      }
    } else {
      // Another upstream (a new epoch, or the same origin after a republish): its timestamps are a new timeline.
      this.publication.restartSource();
    }
    this.clearHold();
    const switched = this.liveTarget !== undefined && !sameUpstream(this.liveTarget, target);
    if (switched || this.counters.pullsStarted > 0) this.counters.switches++;
    this.counters.pullsStarted++;
    this.liveTarget = target;
    this._lastResolveError = undefined;
    this.setState('live');
    this.startVerify();
    log.info({ switches: this.counters.switches }, this.counters.pullsStarted === 1 ? 'relay live' : 'relay live again (players kept)');
    this.notifyLiveWaiters();
    this.emit('live', target);
  }

  private forward(conn: UpstreamConnection, ev: PublishedMessage): void {
    if (this.upstream !== conn) return;
    this.publication?.push(ev);
  }

  private upstreamEnded(target: UpstreamTarget, error: RelayError, started: boolean, log: Logger): void {
    if (this.stopped) return;
    this.stopVerify();
    if (started) {
      log.warn({ code: error.code }, `upstream lost: ${error.message}; re-resolving, players kept`);
      this.repullReason = repullReasonOf(error.code);
      this.startHold();
    } else if (error.code !== 'UPSTREAM_REPLACED') {
      log.warn({ code: error.code }, `upstream attempt failed: ${error.message}`);
    }
    this.emit('upstreamEnded', { target, error, started });
  }

  /** The hub detached us (operator kick, hub closing): stop for good. */
  private publicationClosed(reason: PublisherCloseReason): void {
    this.publication = undefined;
    this.stop('RELAY_STOPPED', `hub closed the relay publication (${reason})`);
  }

  private startHold(): void {
    if (this.holdTimer || !this.publication) return;
    const holdMs = this.o.holdMs ?? 10_000;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      if (this._state === 'live' || !this.publication) return;
      this.log.info({ holdMs }, 'no upstream came back: ending the stream for players (they may wait for a republish)');
      const pub = this.publication;
      this.publication = undefined;
      this.liveTarget = undefined;
      this.repullReason = undefined;
      pub.unpublish();
    }, holdMs);
    this.holdTimer.unref();
  }

  private clearHold(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  private startVerify(): void {
    const every = this.o.verifyEveryMs ?? 5000;
    if (every <= 0 || this.verifyTimer) return;
    this.verifyTimer = setInterval(() => {
      this.verify().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'relay: registry check failed'));
    }, every);
    this.verifyTimer.unref();
  }

  private stopVerify(): void {
    if (this.verifyTimer) clearInterval(this.verifyTimer);
    this.verifyTimer = undefined;
  }

  /** Registry check while live: a different owner means we missed an event; follow the registry. */
  private async verify(): Promise<void> {
    if (this.verifying || this._state !== 'live') return;
    this.verifying = true;
    try {
      const found = await this.o.locate(this.key);
      if (found && this._state === 'live' && this.target && !sameUpstream(found, this.target)) {
        this.log.warn({ registry: found, current: this.target }, 'registry names another origin: switching');
        this.offer(found, { authoritative: true });
      }
    } catch {
      // Registry unreachable: the running upstream stays (nobody can claim the stream meanwhile).
    } finally {
      this.verifying = false;
    }
  }

  private notifyLiveWaiters(): void {
    for (const w of [...this.liveWaiters]) w();
  }

  private setState(s: RelayPullerState): void {
    if (this._state === s || this._state === 'stopped') return;
    this._state = s;
    this.emit('state', s);
  }

  private countersForLog(): Record<string, number> {
    const s = this.stats();
    return { pulls: s.pulls, pullsStarted: s.pullsStarted, switches: s.switches, bytes: s.bytesReceived };
  }
}

function repullReasonOf(code: RelayErrorCode): RelayRepullReason {
  switch (code) {
    case 'UPSTREAM_REPLACED':
      return 'new-epoch';
    case 'UPSTREAM_UNPUBLISHED':
      return 'unpublished';
    case 'UPSTREAM_STALLED':
      return 'stall';
    default:
      return 'upstream-lost';
  }
}

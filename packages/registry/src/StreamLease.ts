import { isRegistryUnavailable } from './errors.js';
import { type Logger, silentLogger } from '@rtmp-cluster/core';
import type {
  PublishInfoPatch,
  ReleaseResult,
  StreamLocation,
  StreamRegistry,
  UpdateInfoResult,
} from './types.js';

export interface StreamLeaseOptions {
  /** Lease length requested on each renew. Default: the registry default. */
  leaseMs?: number;
  /** Default 2000 ms; keep it well under the lease so one failed renew does not lose the stream. */
  renewEveryMs?: number;
  /**
   * When a renew finds the claim gone and NOBODY else holding the stream (e.g. Redis restarted empty),
   * claim it again with a new epoch instead of giving up. Default true.
   */
  reclaimIfVacant?: boolean;
  /** Called once when the claim is lost to another node: stop serving, drop the publisher. */
  onLost: (current: StreamLocation | null) => void;
  /** Called when the epoch changed because of a re-claim. */
  onReclaimed?: (location: StreamLocation) => void;
  logger?: Logger;
}

/**
 * The origin side of a claim: renews the lease periodically, fences every update with the current
 * epoch, reports loss exactly once. A renew that fails because Redis is unreachable keeps the stream:
 * while Redis is down nobody else can claim it either.
 */
export class StreamLease {
  private current: StreamLocation;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lostFlag = false;
  private readonly logger: Logger;

  constructor(
    private readonly registry: StreamRegistry,
    location: StreamLocation,
    private readonly options: StreamLeaseOptions,
  ) {
    this.current = location;
    this.logger = options.logger ?? silentLogger;
  }

  get location(): StreamLocation {
    return this.current;
  }
  get epoch(): number {
    return this.current.epoch;
  }
  get lost(): boolean {
    return this.lostFlag;
  }

  start(): void {
    if (this.running || this.lostFlag) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Renews once now; resolves true while the claim is held. */
  async renewNow(): Promise<boolean> {
    if (this.lostFlag) return false;
    const { key, epoch } = this.current;
    try {
      const r = await this.registry.renewStream(key, epoch, this.options.leaseMs);
      if (r.status === 'renewed') {
        this.current = { ...this.current, leaseUntil: r.leaseUntil };
        return true;
      }
      if (r.current === null && (this.options.reclaimIfVacant ?? true) && (await this.reclaim())) return true;
      this.markLost(r.current);
      return false;
    } catch (err) {
      if (!isRegistryUnavailable(err)) throw err;
      this.logger.warn({ stream: key, epoch, err: err.message }, 'registry unavailable; keeping stream claim');
      return true;
    }
  }

  async updateInfo(patch: PublishInfoPatch): Promise<UpdateInfoResult> {
    const r = await this.registry.updateStreamInfo(this.current.key, this.current.epoch, patch);
    if (r.status === 'updated') this.current = r.location;
    else this.markLost(r.current);
    return r;
  }

  /** Stops renewing and releases the claim (if still ours). */
  async release(): Promise<ReleaseResult> {
    this.stop();
    this.lostFlag = true; // no onLost after a deliberate release
    return this.registry.releaseStream(this.current.key, this.current.epoch);
  }

  private async reclaim(): Promise<boolean> {
    const c = this.current;
    const r = await this.registry.claimStream({
      app: c.app,
      name: c.name,
      nodeId: c.ownerId,
      address: c.ownerAddress,
      info: c.info,
      policy: 'reject',
      ...(this.options.leaseMs !== undefined ? { leaseMs: this.options.leaseMs } : {}),
    });
    if (r.status !== 'claimed') return false;
    this.logger.info({ stream: c.key, oldEpoch: c.epoch, epoch: r.location.epoch }, 'stream claim re-acquired');
    this.current = r.location;
    this.options.onReclaimed?.(r.location);
    return true;
  }

  private markLost(current: StreamLocation | null): void {
    if (this.lostFlag) return;
    this.lostFlag = true;
    this.stop();
    this.logger.warn(
      { stream: this.current.key, epoch: this.current.epoch, newOwner: current?.ownerId ?? null },
      'stream claim lost',
    );
    this.options.onLost(current);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.renewNow()
        .catch((err: unknown) => {
          this.logger.error({ stream: this.current.key, err: (err as Error).message }, 'stream lease renew failed');
        })
        .finally(() => this.schedule());
    }, this.options.renewEveryMs ?? 2000);
    this.timer.unref();
  }
}

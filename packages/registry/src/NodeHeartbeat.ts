import { type Logger, silentLogger } from '@rtmp-cluster/core';
import { DEFAULT_NODE_TTL_MS, type NodeInfo, type NodeRecord, type NodeRegistry } from './types.js';

export interface NodeHeartbeatOptions {
  /** Default 2000 ms. */
  periodMs?: number;
  /** Node record TTL; a node that stops beating disappears after this. Default 6000 ms. */
  ttlMs?: number;
  logger?: Logger;
}

/**
 * Keeps this node's record alive: one heartbeat per period with the node's current info (load, state).
 * Failures are logged and retried next period; the record only disappears if beats fail for a whole TTL.
 */
export class NodeHeartbeat {
  private readonly periodMs: number;
  private readonly ttlMs: number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private beating: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly info: () => NodeInfo,
    options: NodeHeartbeatOptions = {},
  ) {
    this.periodMs = options.periodMs ?? 2000;
    this.ttlMs = options.ttlMs ?? DEFAULT_NODE_TTL_MS;
    this.logger = options.logger ?? silentLogger;
    if (this.periodMs >= this.ttlMs) throw new RangeError('heartbeat periodMs must be shorter than ttlMs');
  }

  /** Sends the first heartbeat (throws if the registry is unavailable) and schedules the next ones. */
  async start(): Promise<NodeRecord> {
    const record = await this.registry.heartbeat(this.info(), this.ttlMs);
    this.running = true;
    this.schedule();
    return record;
  }

  /** Sends a heartbeat now (e.g. right after switching to 'draining'); errors are logged, not thrown. */
  async beatNow(): Promise<void> {
    if (this.beating) await this.beating;
    this.beating = this.beat().finally(() => {
      this.beating = undefined;
    });
    await this.beating;
  }

  /** Stops beating; with remove (default) deletes the node record so others see the node gone at once. */
  async stop(options: { remove?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.beating) await this.beating;
    if (options.remove ?? true) {
      try {
        await this.registry.removeNode(this.info().id);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'registry: could not remove node record');
      }
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      // beat() logs a failed heartbeat itself; anything else is logged here, and the beating goes on.
      this.beatNow()
        .catch((err: unknown) => this.logger.error({ err: (err as Error).message }, 'registry: heartbeat round failed'))
        .finally(() => this.schedule());
    }, this.periodMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.registry.heartbeat(this.info(), this.ttlMs);
      if (this.failures > 0) this.logger.info({ failures: this.failures }, 'registry: heartbeat recovered');
      this.failures = 0;
    } catch (err) {
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.logger.warn({ err: (err as Error).message, failures: this.failures }, 'registry: heartbeat failed');
      }
    }
  }
}

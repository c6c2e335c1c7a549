import type { Logger } from 'pino';

/** The states every node kind passes through; a kind may add its own (draining, stopping). */
export type BaseLifecycleState = 'created' | 'starting' | 'running' | 'stopped';

/**
 * The start/stop walk every node kind shares: start only from 'created', and stop once however
 * often and concurrently it is called. A node stopped before it ran (or after a failed start)
 * releases only what it holds from construction.
 */
export class NodeLifecycle<S extends string> {
  state: S | BaseLifecycleState = 'created';
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  /** A node starts once, from 'created'; the caller sets 'running' when it is up, 'stopped' if it failed. */
  beginStart(): void {
    if (this.state !== 'created') throw new Error(`${this.what} already ${this.state}`);
    this.state = 'starting';
  }

  /** `releaseIdle` for a node that never started or already stopped; `bringDown` for one that runs. */
  stop(releaseIdle: () => void | Promise<void>, bringDown: () => Promise<void>): Promise<void> {
    this.stopping ??= this.runStop(releaseIdle, bringDown);
    return this.stopping;
  }

  private async runStop(releaseIdle: () => void | Promise<void>, bringDown: () => Promise<void>): Promise<void> {
    if (this.state === 'stopped' || this.state === 'created') {
      this.state = 'stopped';
      await releaseIdle();
      return;
    }
    await bringDown();
    this.state = 'stopped';
    this.logger.info('node stopped');
  }
}

import type { Logger } from '@rtmp-cluster/core';
import type { ClusterRegistry } from '@rtmp-cluster/registry';

export interface RegistryHealthMonitorOptions {
  registry: Pick<ClusterRegistry, 'ping'>;
  intervalMs: number;
  logger: Logger;
  /** Called with the first result and on every change. */
  onChange: (serving: boolean) => void;
}

/**
 * Pings the registry every intervalMs and reports whether the control plane can serve: without the
 * registry it knows neither nodes nor streams. A ping that takes longer than the interval counts as
 * a failure, so a hung connection turns the status NOT_SERVING instead of freezing it.
 */
export class RegistryHealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private serving: boolean | undefined;
  private stopped = false;

  constructor(private readonly options: RegistryHealthMonitorOptions) {}

  /** Resolves after the first probe, so the initial health status is already real. */
  async start(): Promise<void> {
    await this.probe();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      // A failing onChange must not end the probing: log it and keep the schedule.
      this.probe()
        .catch((err: unknown) => this.options.logger.error({ err: (err as Error)?.message ?? String(err) }, 'registry health probe failed'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    let ok: boolean;
    let reason = '';
    try {
      await Promise.race([
        this.options.registry.ping(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`no answer within ${this.options.intervalMs} ms`)), this.options.intervalMs);
        }),
      ]);
      ok = true;
    } catch (err) {
      ok = false;
      reason = (err as Error)?.message ?? String(err);
    } finally {
      clearTimeout(timeout);
    }
    if (this.stopped || ok === this.serving) return;
    this.serving = ok;
    if (ok) this.options.logger.info({}, 'registry reachable: control API SERVING');
    else this.options.logger.warn({ err: reason }, 'registry unavailable: control API NOT_SERVING');
    this.options.onChange(ok);
  }
}

/**
 * Readiness = the node's lifecycle state AND every registered dependency check. Roles register what they
 * cannot serve without (an origin cannot claim streams without Redis, an edge cannot locate them; both
 * miss events without NATS), so a load balancer stops sending new clients while a dependency is down.
 * Liveness (/healthz) stays independent: a dependency outage must not make Kubernetes restart the pod.
 */
import type { BusConnectionState, EventBus } from '@rtmp-cluster/events';
import type { ClusterMetrics } from './NodeMetrics.js';

export interface DependencyStatus {
  ok: boolean;
  /** short operator-facing text for /readyz, e.g. 'redis unavailable: connect ECONNREFUSED' */
  detail?: string;
}

/** Must be cheap and synchronous (evaluated on every probe): keep the last result of an async check. */
export type DependencyCheck = () => DependencyStatus;

export interface ReadinessResult {
  ready: boolean;
  reason: string;
}

export class Readiness {
  private readonly checks = new Map<string, DependencyCheck>();

  constructor(private readonly lifecycle: () => ReadinessResult) {}

  /** Registers (or replaces) a named check; returns a function that removes it. */
  register(name: string, check: DependencyCheck): () => void {
    this.checks.set(name, check);
    return () => {
      if (this.checks.get(name) === check) this.checks.delete(name);
    };
  }

  evaluate(): ReadinessResult {
    const base = this.lifecycle();
    if (!base.ready) return base;
    const failed: string[] = [];
    for (const [name, check] of this.checks) {
      let status: DependencyStatus;
      try {
        status = check();
      } catch (err) {
        status = { ok: false, detail: (err as Error).message };
      }
      if (!status.ok) failed.push(status.detail ? `${name} unavailable: ${status.detail}` : `${name} unavailable`);
    }
    return failed.length === 0 ? base : { ready: false, reason: failed.join('; ') };
  }
}

/**
 * Pings something asynchronous in the background and remembers the last outcome (readiness probes must not
 * wait on Redis). Failures count in the metrics under `operation` 'ping'.
 */
export class PollingDependency {
  private status: DependencyStatus = { ok: true };
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly opts: { intervalMs?: number; onFailure?: () => void } = {},
  ) {}

  /** Runs the first ping now (so a dependency that is down at start is known at once) and then periodically. */
  async start(): Promise<void> {
    this.running = true;
    await this.poll();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  readonly check: DependencyCheck = () => this.status;

  private async poll(): Promise<void> {
    try {
      await this.ping();
      this.status = { ok: true };
    } catch (err) {
      this.status = { ok: false, detail: (err as Error).message };
      this.opts.onFailure?.();
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      // poll() catches the ping's failure; only a throwing onFailure gets here, and polling goes on.
      this.poll()
        .catch((err: unknown) => {
          this.status = { ok: false, detail: (err as Error).message };
        })
        .finally(() => this.schedule());
    }, this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }
}

/** NATS: unavailable while the bus reports disconnected or closed; each disconnect counts as a NATS error. */
export function eventBusDependency(bus: Pick<EventBus, 'onConnectionState'>, metrics?: Pick<ClusterMetrics, 'natsError'>): {
  check: DependencyCheck;
  stop: () => void;
} {
  let state: BusConnectionState = 'connected';
  const stop = bus.onConnectionState((s) => {
    if (s !== 'connected' && state === 'connected') metrics?.natsError(s === 'closed' ? 'closed' : 'disconnected');
    state = s;
  });
  return { check: () => (state === 'connected' ? { ok: true } : { ok: false, detail: state }), stop };
}

import type { NodeLoad } from '@rtmp-cluster/registry';

/** Counters a node can read at any time (RtmpServer.stats() and the hub provide them). */
export interface LoadCounters {
  connections: number;
  streams: number;
  /** bytes received since start (monotonic) */
  bytesIn: number;
  /** bytes sent since start (monotonic) */
  bytesOut: number;
}

/** Turns monotonic byte counters into the bit rates of a NodeLoad, measured between two samples. */
export class LoadMeter {
  private last: { at: number; bytesIn: number; bytesOut: number } | undefined;
  private rates = { ingressBps: 0, egressBps: 0 };

  constructor(
    private readonly read: () => LoadCounters,
    private readonly now: () => number = Date.now,
  ) {}

  sample(): NodeLoad {
    const c = this.read();
    const at = this.now();
    if (this.last && at > this.last.at) {
      const secs = (at - this.last.at) / 1000;
      this.rates = {
        ingressBps: Math.max(0, Math.round(((c.bytesIn - this.last.bytesIn) * 8) / secs)),
        egressBps: Math.max(0, Math.round(((c.bytesOut - this.last.bytesOut) * 8) / secs)),
      };
    }
    this.last = { at, bytesIn: c.bytesIn, bytesOut: c.bytesOut };
    return { connections: c.connections, streams: c.streams, ...this.rates };
  }
}

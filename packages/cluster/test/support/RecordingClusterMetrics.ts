import type { ClusterMetrics } from '../../src/ClusterMetrics.js';

/** ClusterMetrics that records every call as 'pull:key', 'repull:key:reason', 'registry:op' or 'nats:op'. */
export class RecordingClusterMetrics implements ClusterMetrics {
  readonly calls: string[] = [];
  relayPullStarted(key: string): void {
    this.calls.push(`pull:${key}`);
  }
  relayRepull(key: string, reason: string): void {
    this.calls.push(`repull:${key}:${reason}`);
  }
  registryError(operation: string): void {
    this.calls.push(`registry:${operation}`);
  }
  natsError(operation: string): void {
    this.calls.push(`nats:${operation}`);
  }
}

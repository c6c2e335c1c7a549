/**
 * What the cluster roles report to the node's metrics (pull counters, registry and NATS failures). The node's
 * NodeMetrics satisfies it structurally; this package does not depend on the node. `operation` values are a
 * small fixed set because they become Prometheus labels.
 */
import type { ClusterEventInput, EventBus, PublishResult } from '@rtmp-cluster/events';
import type { RelayMetrics } from '@rtmp-cluster/relay';
import type { Logger } from '@rtmp-cluster/core';

export interface ClusterMetrics extends RelayMetrics {
  /** a registry call failed: 'lookup' | 'claim' | 'renew' | 'release' | 'update' | 'heartbeat' | ... */
  registryError(operation: string): void;
  /** a NATS operation failed: 'publish' (an event the bus dropped) */
  natsError(operation: string): void;
}

/**
 * Publishes a cluster event; a dropped event (NATS gone and its buffer full, or the bus closed) is counted and
 * logged. Nothing depends on an event arriving: edges converge through the registry anyway.
 */
export function publishClusterEvent(bus: EventBus, event: ClusterEventInput, metrics: Pick<ClusterMetrics, 'natsError'> | undefined, log: Logger): PublishResult {
  const r = bus.publish(event);
  if (r.status === 'dropped') {
    metrics?.natsError('publish');
    // The bus logs drops itself (rate-limited); this line ties the drop to the role's context.
    log.debug({ event: event.type, reason: r.reason }, 'cluster event dropped');
  }
  return r;
}

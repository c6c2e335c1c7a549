/**
 * What a RelayPuller reports to the node's metrics. The node's NodeMetrics satisfies it structurally, so this
 * package does not depend on the node. `reason` values must stay a small fixed set: they become labels.
 */
export interface RelayMetrics {
  /** an upstream connection was opened for the stream (first pull, re-pull or retry) */
  relayPullStarted(key: string): void;
  /** the stream is pulled again after a running upstream ended, players kept */
  relayRepull(key: string, reason: RelayRepullReason): void;
}

/**
 * Why a running upstream was replaced: 'upstream-lost' (closed, protocol error, not found any more),
 * 'unpublished' (the origin's publisher left), 'new-epoch' (a newer owner/epoch took over), 'stall'.
 */
export type RelayRepullReason = 'upstream-lost' | 'unpublished' | 'new-epoch' | 'stall';

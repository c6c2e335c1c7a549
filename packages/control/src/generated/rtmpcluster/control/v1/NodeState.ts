// Original file: proto/rtmpcluster/control/v1/control.proto

export const NodeState = {
  NODE_STATE_UNSPECIFIED: 'NODE_STATE_UNSPECIFIED',
  /**
   * Registered and accepting connections.
   */
  NODE_STATE_READY: 'NODE_STATE_READY',
  /**
   * Stops accepting; existing sessions are moved away or closed at the drain deadline.
   */
  NODE_STATE_DRAINING: 'NODE_STATE_DRAINING',
} as const;

export type NodeState =
  | 'NODE_STATE_UNSPECIFIED'
  | 0
  /**
   * Registered and accepting connections.
   */
  | 'NODE_STATE_READY'
  | 1
  /**
   * Stops accepting; existing sessions are moved away or closed at the drain deadline.
   */
  | 'NODE_STATE_DRAINING'
  | 2

export type NodeState__Output = typeof NodeState[keyof typeof NodeState]

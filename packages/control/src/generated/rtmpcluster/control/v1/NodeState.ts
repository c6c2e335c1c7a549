// Original file: proto/rtmpcluster/control/v1/control.proto

export const NodeState = {
  NODE_STATE_UNSPECIFIED: 'NODE_STATE_UNSPECIFIED',
  NODE_STATE_UP: 'NODE_STATE_UP',
  NODE_STATE_DRAINING: 'NODE_STATE_DRAINING',
  NODE_STATE_DOWN: 'NODE_STATE_DOWN',
} as const;

export type NodeState =
  | 'NODE_STATE_UNSPECIFIED'
  | 0
  | 'NODE_STATE_UP'
  | 1
  | 'NODE_STATE_DRAINING'
  | 2
  | 'NODE_STATE_DOWN'
  | 3

export type NodeState__Output = typeof NodeState[keyof typeof NodeState]

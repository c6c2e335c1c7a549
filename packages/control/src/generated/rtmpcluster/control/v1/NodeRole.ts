// Original file: proto/rtmpcluster/control/v1/control.proto

export const NodeRole = {
  NODE_ROLE_UNSPECIFIED: 'NODE_ROLE_UNSPECIFIED',
  NODE_ROLE_ORIGIN: 'NODE_ROLE_ORIGIN',
  NODE_ROLE_EDGE: 'NODE_ROLE_EDGE',
  NODE_ROLE_ALL_IN_ONE: 'NODE_ROLE_ALL_IN_ONE',
  NODE_ROLE_CONTROL: 'NODE_ROLE_CONTROL',
} as const;

export type NodeRole =
  | 'NODE_ROLE_UNSPECIFIED'
  | 0
  | 'NODE_ROLE_ORIGIN'
  | 1
  | 'NODE_ROLE_EDGE'
  | 2
  | 'NODE_ROLE_ALL_IN_ONE'
  | 3
  | 'NODE_ROLE_CONTROL'
  | 4

export type NodeRole__Output = typeof NodeRole[keyof typeof NodeRole]

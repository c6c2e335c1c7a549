// Original file: proto/rtmpcluster/control/v1/control.proto

import type { NodeRole as _rtmpcluster_control_v1_NodeRole, NodeRole__Output as _rtmpcluster_control_v1_NodeRole__Output } from '../../../rtmpcluster/control/v1/NodeRole.js';

export interface NodeEvent {
  'role'?: (_rtmpcluster_control_v1_NodeRole);
  'address'?: (string);
  /**
   * node_down only: the node that noticed the death; empty on a graceful shutdown.
   */
  'reportedBy'?: (string);
}

export interface NodeEvent__Output {
  'role': (_rtmpcluster_control_v1_NodeRole__Output);
  'address': (string);
  /**
   * node_down only: the node that noticed the death; empty on a graceful shutdown.
   */
  'reportedBy': (string);
}

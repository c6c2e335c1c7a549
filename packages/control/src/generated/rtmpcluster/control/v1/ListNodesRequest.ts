// Original file: proto/rtmpcluster/control/v1/control.proto

import type { NodeRole as _rtmpcluster_control_v1_NodeRole, NodeRole__Output as _rtmpcluster_control_v1_NodeRole__Output } from '../../../rtmpcluster/control/v1/NodeRole.js';

export interface ListNodesRequest {
  /**
   * Optional filter; UNSPECIFIED lists all roles.
   */
  'role'?: (_rtmpcluster_control_v1_NodeRole);
}

export interface ListNodesRequest__Output {
  /**
   * Optional filter; UNSPECIFIED lists all roles.
   */
  'role': (_rtmpcluster_control_v1_NodeRole__Output);
}

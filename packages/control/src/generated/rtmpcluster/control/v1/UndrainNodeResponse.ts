// Original file: proto/rtmpcluster/control/v1/control.proto

import type { NodeState as _rtmpcluster_control_v1_NodeState, NodeState__Output as _rtmpcluster_control_v1_NodeState__Output } from '../../../rtmpcluster/control/v1/NodeState.js';

export interface UndrainNodeResponse {
  'nodeId'?: (string);
  'state'?: (_rtmpcluster_control_v1_NodeState);
}

export interface UndrainNodeResponse__Output {
  'nodeId': (string);
  'state': (_rtmpcluster_control_v1_NodeState__Output);
}

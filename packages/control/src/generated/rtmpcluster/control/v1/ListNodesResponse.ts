// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Node as _rtmpcluster_control_v1_Node, Node__Output as _rtmpcluster_control_v1_Node__Output } from '../../../rtmpcluster/control/v1/Node.js';

export interface ListNodesResponse {
  'nodes'?: (_rtmpcluster_control_v1_Node)[];
}

export interface ListNodesResponse__Output {
  'nodes': (_rtmpcluster_control_v1_Node__Output)[];
}

// Original file: proto/rtmpcluster/control/v1/control.proto

import type { NodeRole as _rtmpcluster_control_v1_NodeRole, NodeRole__Output as _rtmpcluster_control_v1_NodeRole__Output } from '../../../rtmpcluster/control/v1/NodeRole.js';
import type { NodeState as _rtmpcluster_control_v1_NodeState, NodeState__Output as _rtmpcluster_control_v1_NodeState__Output } from '../../../rtmpcluster/control/v1/NodeState.js';
import type { Long } from '@grpc/proto-loader';

export interface Node {
  'id'?: (string);
  'role'?: (_rtmpcluster_control_v1_NodeRole);
  /**
   * host:port other nodes and operators dial for RTMP.
   */
  'address'?: (string);
  'version'?: (string);
  'state'?: (_rtmpcluster_control_v1_NodeState);
  'startedAtMs'?: (number | string | Long);
  'uptimeMs'?: (number | string | Long);
  /**
   * Last time the node refreshed its registration.
   */
  'lastSeenMs'?: (number | string | Long);
  'connections'?: (number);
  'streams'?: (number);
  'ingressBps'?: (number | string | Long);
  'egressBps'?: (number | string | Long);
}

export interface Node__Output {
  'id': (string);
  'role': (_rtmpcluster_control_v1_NodeRole__Output);
  /**
   * host:port other nodes and operators dial for RTMP.
   */
  'address': (string);
  'version': (string);
  'state': (_rtmpcluster_control_v1_NodeState__Output);
  'startedAtMs': (number);
  'uptimeMs': (number);
  /**
   * Last time the node refreshed its registration.
   */
  'lastSeenMs': (number);
  'connections': (number);
  'streams': (number);
  'ingressBps': (number);
  'egressBps': (number);
}

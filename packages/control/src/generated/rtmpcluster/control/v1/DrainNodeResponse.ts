// Original file: proto/rtmpcluster/control/v1/control.proto

import type { NodeState as _rtmpcluster_control_v1_NodeState, NodeState__Output as _rtmpcluster_control_v1_NodeState__Output } from '../../../rtmpcluster/control/v1/NodeState.js';

export interface DrainNodeResponse {
  'nodeId'?: (string);
  'state'?: (_rtmpcluster_control_v1_NodeState);
  'deadlineMs'?: (number);
  /**
   * Sessions asked to reconnect elsewhere (Enhanced RTMP ReconnectRequest).
   */
  'reconnectRequested'?: (number);
  /**
   * Sessions that will be closed when the deadline passes unless they leave earlier.
   */
  'toClose'?: (number);
}

export interface DrainNodeResponse__Output {
  'nodeId': (string);
  'state': (_rtmpcluster_control_v1_NodeState__Output);
  'deadlineMs': (number);
  /**
   * Sessions asked to reconnect elsewhere (Enhanced RTMP ReconnectRequest).
   */
  'reconnectRequested': (number);
  /**
   * Sessions that will be closed when the deadline passes unless they leave earlier.
   */
  'toClose': (number);
}

// Original file: proto/rtmpcluster/control/v1/control.proto


export interface DrainNodeRequest {
  'nodeId'?: (string);
  /**
   * 0 = the node's configured drain timeout.
   */
  'deadlineMs'?: (number);
  /**
   * Keep the process running once drained (for maintenance), instead of exiting.
   */
  'stay'?: (boolean);
}

export interface DrainNodeRequest__Output {
  'nodeId': (string);
  /**
   * 0 = the node's configured drain timeout.
   */
  'deadlineMs': (number);
  /**
   * Keep the process running once drained (for maintenance), instead of exiting.
   */
  'stay': (boolean);
}

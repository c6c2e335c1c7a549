// Original file: proto/rtmpcluster/control/v1/control.proto


export interface DrainNodeRequest {
  'nodeId'?: (string);
  /**
   * 0 = the node's configured drain timeout.
   */
  'deadlineMs'?: (number);
}

export interface DrainNodeRequest__Output {
  'nodeId': (string);
  /**
   * 0 = the node's configured drain timeout.
   */
  'deadlineMs': (number);
}

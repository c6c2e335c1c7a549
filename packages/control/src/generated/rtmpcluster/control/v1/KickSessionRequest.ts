// Original file: proto/rtmpcluster/control/v1/control.proto


export interface KickSessionRequest {
  'sessionId'?: (string);
  /**
   * Optional: only ask this node (otherwise every live node is asked).
   */
  'nodeId'?: (string);
}

export interface KickSessionRequest__Output {
  'sessionId': (string);
  /**
   * Optional: only ask this node (otherwise every live node is asked).
   */
  'nodeId': (string);
}

// Original file: proto/rtmpcluster/control/v1/control.proto


export interface KickEvent {
  'nodeId'?: (string);
  'sessionId'?: (string);
  /**
   * "app/name" for publisher kicks.
   */
  'stream'?: (string);
}

export interface KickEvent__Output {
  'nodeId': (string);
  'sessionId': (string);
  /**
   * "app/name" for publisher kicks.
   */
  'stream': (string);
}

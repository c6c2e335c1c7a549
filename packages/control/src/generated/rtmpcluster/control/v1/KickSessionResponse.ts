// Original file: proto/rtmpcluster/control/v1/control.proto


export interface KickSessionResponse {
  'sessionId'?: (string);
  'nodeId'?: (string);
}

export interface KickSessionResponse__Output {
  'sessionId': (string);
  'nodeId': (string);
}

// Original file: proto/rtmpcluster/control/v1/control.proto


export interface UndrainNodeRequest {
  'nodeId'?: (string);
}

export interface UndrainNodeRequest__Output {
  'nodeId': (string);
}

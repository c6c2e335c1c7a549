// Original file: proto/rtmpcluster/control/v1/control.proto


export interface GetNodeRequest {
  'id'?: (string);
}

export interface GetNodeRequest__Output {
  'id': (string);
}

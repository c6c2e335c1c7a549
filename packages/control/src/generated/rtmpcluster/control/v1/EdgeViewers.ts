// Original file: proto/rtmpcluster/control/v1/control.proto


export interface EdgeViewers {
  'nodeId'?: (string);
  'viewers'?: (number);
}

export interface EdgeViewers__Output {
  'nodeId': (string);
  'viewers': (number);
}

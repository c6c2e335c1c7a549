// Original file: proto/rtmpcluster/control/v1/control.proto


export interface GetStreamRequest {
  /**
   * "app/name".
   */
  'key'?: (string);
}

export interface GetStreamRequest__Output {
  /**
   * "app/name".
   */
  'key': (string);
}

// Original file: proto/rtmpcluster/control/v1/control.proto


export interface KickPublisherRequest {
  /**
   * "app/name".
   */
  'stream'?: (string);
}

export interface KickPublisherRequest__Output {
  /**
   * "app/name".
   */
  'stream': (string);
}

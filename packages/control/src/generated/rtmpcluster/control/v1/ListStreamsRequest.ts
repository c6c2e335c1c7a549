// Original file: proto/rtmpcluster/control/v1/control.proto


export interface ListStreamsRequest {
  /**
   * Optional: only streams of this app.
   */
  'app'?: (string);
}

export interface ListStreamsRequest__Output {
  /**
   * Optional: only streams of this app.
   */
  'app': (string);
}

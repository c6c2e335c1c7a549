// Original file: proto/rtmpcluster/control/v1/control.proto


export interface VideoInfo {
  'codec'?: (string);
  'width'?: (number);
  'height'?: (number);
  'frameRate'?: (number | string);
}

export interface VideoInfo__Output {
  'codec': (string);
  'width': (number);
  'height': (number);
  'frameRate': (number);
}

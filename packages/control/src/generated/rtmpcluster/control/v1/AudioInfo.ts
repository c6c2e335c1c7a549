// Original file: proto/rtmpcluster/control/v1/control.proto


export interface AudioInfo {
  'codec'?: (string);
  'sampleRate'?: (number);
  'channels'?: (number);
}

export interface AudioInfo__Output {
  'codec': (string);
  'sampleRate': (number);
  'channels': (number);
}

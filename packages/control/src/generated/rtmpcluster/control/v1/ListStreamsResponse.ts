// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Stream as _rtmpcluster_control_v1_Stream, Stream__Output as _rtmpcluster_control_v1_Stream__Output } from '../../../rtmpcluster/control/v1/Stream.js';

export interface ListStreamsResponse {
  'streams'?: (_rtmpcluster_control_v1_Stream)[];
  'unreachableNodes'?: (string)[];
}

export interface ListStreamsResponse__Output {
  'streams': (_rtmpcluster_control_v1_Stream__Output)[];
  'unreachableNodes': (string)[];
}

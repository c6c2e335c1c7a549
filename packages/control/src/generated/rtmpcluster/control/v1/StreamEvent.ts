// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface StreamEvent {
  'key'?: (string);
  'nodeId'?: (string);
  'epoch'?: (number | string | Long);
  'address'?: (string);
}

export interface StreamEvent__Output {
  'key': (string);
  'nodeId': (string);
  'epoch': (number);
  'address': (string);
}

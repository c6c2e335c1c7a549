// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface Publisher {
  'sessionId'?: (string);
  'remoteAddress'?: (string);
  'startedAtMs'?: (number | string | Long);
  'uptimeMs'?: (number | string | Long);
}

export interface Publisher__Output {
  'sessionId': (string);
  'remoteAddress': (string);
  'startedAtMs': (number);
  'uptimeMs': (number);
}

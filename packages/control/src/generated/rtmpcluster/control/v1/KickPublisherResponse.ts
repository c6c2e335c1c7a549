// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface KickPublisherResponse {
  'stream'?: (string);
  'originNodeId'?: (string);
  'epoch'?: (number | string | Long);
  /**
   * True if the origin had a publisher for the stream and closed it.
   */
  'kicked'?: (boolean);
  'sessionId'?: (string);
}

export interface KickPublisherResponse__Output {
  'stream': (string);
  'originNodeId': (string);
  'epoch': (number);
  /**
   * True if the origin had a publisher for the stream and closed it.
   */
  'kicked': (boolean);
  'sessionId': (string);
}

// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Long } from '@grpc/proto-loader';

export interface StreamEvent {
  /**
   * "app/name".
   */
  'key'?: (string);
  /**
   * Origin that publishes (published) or published (unpublished) the stream.
   */
  'originNodeId'?: (string);
  'originAddress'?: (string);
  'epoch'?: (number | string | Long);
  /**
   * published: codecs known at publish time, if any.
   */
  'videoCodec'?: (string);
  'audioCodec'?: (string);
  /**
   * unpublished: e.g. "publisher-left", "kicked", "lease-lost", "node-draining".
   */
  'reason'?: (string);
}

export interface StreamEvent__Output {
  /**
   * "app/name".
   */
  'key': (string);
  /**
   * Origin that publishes (published) or published (unpublished) the stream.
   */
  'originNodeId': (string);
  'originAddress': (string);
  'epoch': (number);
  /**
   * published: codecs known at publish time, if any.
   */
  'videoCodec': (string);
  'audioCodec': (string);
  /**
   * unpublished: e.g. "publisher-left", "kicked", "lease-lost", "node-draining".
   */
  'reason': (string);
}

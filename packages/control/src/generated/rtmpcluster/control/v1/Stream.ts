// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Publisher as _rtmpcluster_control_v1_Publisher, Publisher__Output as _rtmpcluster_control_v1_Publisher__Output } from '../../../rtmpcluster/control/v1/Publisher.js';
import type { VideoInfo as _rtmpcluster_control_v1_VideoInfo, VideoInfo__Output as _rtmpcluster_control_v1_VideoInfo__Output } from '../../../rtmpcluster/control/v1/VideoInfo.js';
import type { AudioInfo as _rtmpcluster_control_v1_AudioInfo, AudioInfo__Output as _rtmpcluster_control_v1_AudioInfo__Output } from '../../../rtmpcluster/control/v1/AudioInfo.js';
import type { EdgeViewers as _rtmpcluster_control_v1_EdgeViewers, EdgeViewers__Output as _rtmpcluster_control_v1_EdgeViewers__Output } from '../../../rtmpcluster/control/v1/EdgeViewers.js';
import type { Long } from '@grpc/proto-loader';

export interface Stream {
  /**
   * "app/name".
   */
  'key'?: (string);
  'app'?: (string);
  'name'?: (string);
  /**
   * Origin that holds the registry claim and its fencing epoch.
   */
  'originNodeId'?: (string);
  'originAddress'?: (string);
  'epoch'?: (number | string | Long);
  'claimedAtMs'?: (number | string | Long);
  /**
   * Filled from the owning origin's stats reply; absent if the origin did not answer.
   */
  'publisher'?: (_rtmpcluster_control_v1_Publisher | null);
  'video'?: (_rtmpcluster_control_v1_VideoInfo | null);
  'audio'?: (_rtmpcluster_control_v1_AudioInfo | null);
  'ingressBps'?: (number | string | Long);
  /**
   * Players attached directly to the origin.
   */
  'originViewers'?: (number);
  /**
   * Edges relaying the stream, each with its player count.
   */
  'edges'?: (_rtmpcluster_control_v1_EdgeViewers)[];
  /**
   * origin_viewers plus the sum over edges.
   */
  'totalViewers'?: (number);
  /**
   * Nodes that did not answer the stats request in time; the numbers above miss their share.
   */
  'unreachableNodes'?: (string)[];
}

export interface Stream__Output {
  /**
   * "app/name".
   */
  'key': (string);
  'app': (string);
  'name': (string);
  /**
   * Origin that holds the registry claim and its fencing epoch.
   */
  'originNodeId': (string);
  'originAddress': (string);
  'epoch': (number);
  'claimedAtMs': (number);
  /**
   * Filled from the owning origin's stats reply; absent if the origin did not answer.
   */
  'publisher': (_rtmpcluster_control_v1_Publisher__Output | null);
  'video': (_rtmpcluster_control_v1_VideoInfo__Output | null);
  'audio': (_rtmpcluster_control_v1_AudioInfo__Output | null);
  'ingressBps': (number);
  /**
   * Players attached directly to the origin.
   */
  'originViewers': (number);
  /**
   * Edges relaying the stream, each with its player count.
   */
  'edges': (_rtmpcluster_control_v1_EdgeViewers__Output)[];
  /**
   * origin_viewers plus the sum over edges.
   */
  'totalViewers': (number);
  /**
   * Nodes that did not answer the stats request in time; the numbers above miss their share.
   */
  'unreachableNodes': (string)[];
}

// Original file: proto/rtmpcluster/control/v1/control.proto

import type { StreamEvent as _rtmpcluster_control_v1_StreamEvent, StreamEvent__Output as _rtmpcluster_control_v1_StreamEvent__Output } from '../../../rtmpcluster/control/v1/StreamEvent.js';
import type { NodeEvent as _rtmpcluster_control_v1_NodeEvent, NodeEvent__Output as _rtmpcluster_control_v1_NodeEvent__Output } from '../../../rtmpcluster/control/v1/NodeEvent.js';
import type { KickEvent as _rtmpcluster_control_v1_KickEvent, KickEvent__Output as _rtmpcluster_control_v1_KickEvent__Output } from '../../../rtmpcluster/control/v1/KickEvent.js';
import type { Long } from '@grpc/proto-loader';

export interface ClusterEvent {
  /**
   * Time the event was emitted (by its emitter's clock).
   */
  'timeMs'?: (number | string | Long);
  /**
   * The node the event is about: the origin for stream events, the subject node for node events,
   * the node that closed the session for kicks.
   */
  'nodeId'?: (string);
  'published'?: (_rtmpcluster_control_v1_StreamEvent | null);
  'unpublished'?: (_rtmpcluster_control_v1_StreamEvent | null);
  'nodeUp'?: (_rtmpcluster_control_v1_NodeEvent | null);
  'nodeDraining'?: (_rtmpcluster_control_v1_NodeEvent | null);
  'nodeDown'?: (_rtmpcluster_control_v1_NodeEvent | null);
  'sessionKicked'?: (_rtmpcluster_control_v1_KickEvent | null);
  'event'?: "published"|"unpublished"|"nodeUp"|"nodeDraining"|"nodeDown"|"sessionKicked";
}

export interface ClusterEvent__Output {
  /**
   * Time the event was emitted (by its emitter's clock).
   */
  'timeMs': (number);
  /**
   * The node the event is about: the origin for stream events, the subject node for node events,
   * the node that closed the session for kicks.
   */
  'nodeId': (string);
  'published'?: (_rtmpcluster_control_v1_StreamEvent__Output | null);
  'unpublished'?: (_rtmpcluster_control_v1_StreamEvent__Output | null);
  'nodeUp'?: (_rtmpcluster_control_v1_NodeEvent__Output | null);
  'nodeDraining'?: (_rtmpcluster_control_v1_NodeEvent__Output | null);
  'nodeDown'?: (_rtmpcluster_control_v1_NodeEvent__Output | null);
  'sessionKicked'?: (_rtmpcluster_control_v1_KickEvent__Output | null);
  'event'?: "published"|"unpublished"|"nodeUp"|"nodeDraining"|"nodeDown"|"sessionKicked";
}

// Original file: proto/rtmpcluster/control/v1/control.proto

import type { SessionKind as _rtmpcluster_control_v1_SessionKind, SessionKind__Output as _rtmpcluster_control_v1_SessionKind__Output } from '../../../rtmpcluster/control/v1/SessionKind.js';

export interface ListSessionsRequest {
  /**
   * All filters optional.
   */
  'nodeId'?: (string);
  /**
   * "app/name".
   */
  'stream'?: (string);
  'kind'?: (_rtmpcluster_control_v1_SessionKind);
}

export interface ListSessionsRequest__Output {
  /**
   * All filters optional.
   */
  'nodeId': (string);
  /**
   * "app/name".
   */
  'stream': (string);
  'kind': (_rtmpcluster_control_v1_SessionKind__Output);
}

// Original file: proto/rtmpcluster/control/v1/control.proto

import type { Session as _rtmpcluster_control_v1_Session, Session__Output as _rtmpcluster_control_v1_Session__Output } from '../../../rtmpcluster/control/v1/Session.js';

export interface ListSessionsResponse {
  'sessions'?: (_rtmpcluster_control_v1_Session)[];
  'unreachableNodes'?: (string)[];
}

export interface ListSessionsResponse__Output {
  'sessions': (_rtmpcluster_control_v1_Session__Output)[];
  'unreachableNodes': (string)[];
}

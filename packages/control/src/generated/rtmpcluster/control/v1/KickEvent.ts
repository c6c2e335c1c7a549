// Original file: proto/rtmpcluster/control/v1/control.proto

import type { SessionKind as _rtmpcluster_control_v1_SessionKind, SessionKind__Output as _rtmpcluster_control_v1_SessionKind__Output } from '../../../rtmpcluster/control/v1/SessionKind.js';

export interface KickEvent {
  'sessionId'?: (string);
  'kind'?: (_rtmpcluster_control_v1_SessionKind);
  /**
   * "app/name", if the session had published or played.
   */
  'stream'?: (string);
  'reason'?: (string);
}

export interface KickEvent__Output {
  'sessionId': (string);
  'kind': (_rtmpcluster_control_v1_SessionKind__Output);
  /**
   * "app/name", if the session had published or played.
   */
  'stream': (string);
  'reason': (string);
}

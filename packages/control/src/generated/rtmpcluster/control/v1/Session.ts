// Original file: proto/rtmpcluster/control/v1/control.proto

import type { SessionKind as _rtmpcluster_control_v1_SessionKind, SessionKind__Output as _rtmpcluster_control_v1_SessionKind__Output } from '../../../rtmpcluster/control/v1/SessionKind.js';
import type { Long } from '@grpc/proto-loader';

export interface Session {
  'id'?: (string);
  'nodeId'?: (string);
  'kind'?: (_rtmpcluster_control_v1_SessionKind);
  'remoteAddress'?: (string);
  'app'?: (string);
  /**
   * Stream name; empty while the session has not published or played yet.
   */
  'name'?: (string);
  'startedAtMs'?: (number | string | Long);
  'bytesIn'?: (number | string | Long);
  'bytesOut'?: (number | string | Long);
  /**
   * Round-trip time from the last RTMP ping; 0 if not measured yet.
   */
  'rttMs'?: (number);
  /**
   * How the session carries media: "rtmp", "rtmps", "http-flv", "ws-flv" or "hls" (web viewers are players).
   */
  'protocol'?: (string);
}

export interface Session__Output {
  'id': (string);
  'nodeId': (string);
  'kind': (_rtmpcluster_control_v1_SessionKind__Output);
  'remoteAddress': (string);
  'app': (string);
  /**
   * Stream name; empty while the session has not published or played yet.
   */
  'name': (string);
  'startedAtMs': (number);
  'bytesIn': (number);
  'bytesOut': (number);
  /**
   * Round-trip time from the last RTMP ping; 0 if not measured yet.
   */
  'rttMs': (number);
  /**
   * How the session carries media: "rtmp", "rtmps", "http-flv", "ws-flv" or "hls" (web viewers are players).
   */
  'protocol': (string);
}

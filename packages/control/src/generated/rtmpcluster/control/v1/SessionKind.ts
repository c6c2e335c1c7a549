// Original file: proto/rtmpcluster/control/v1/control.proto

export const SessionKind = {
  SESSION_KIND_UNSPECIFIED: 'SESSION_KIND_UNSPECIFIED',
  SESSION_KIND_PUBLISHER: 'SESSION_KIND_PUBLISHER',
  SESSION_KIND_PLAYER: 'SESSION_KIND_PLAYER',
  /**
   * An edge's upstream pull from an origin (seen on both: as a player on the origin side).
   */
  SESSION_KIND_RELAY: 'SESSION_KIND_RELAY',
} as const;

export type SessionKind =
  | 'SESSION_KIND_UNSPECIFIED'
  | 0
  | 'SESSION_KIND_PUBLISHER'
  | 1
  | 'SESSION_KIND_PLAYER'
  | 2
  /**
   * An edge's upstream pull from an origin (seen on both: as a player on the origin side).
   */
  | 'SESSION_KIND_RELAY'
  | 3

export type SessionKind__Output = typeof SessionKind[keyof typeof SessionKind]

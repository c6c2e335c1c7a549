import type { NodeRecord, NodeRole, NodeState } from '@rtmp-cluster/registry';
import type { Node } from './generated/rtmpcluster/control/v1/Node.js';
import type { NodeRole__Output } from './generated/rtmpcluster/control/v1/NodeRole.js';
import type { NodeState__Output } from './generated/rtmpcluster/control/v1/NodeState.js';
import type { SessionKind__Output } from './generated/rtmpcluster/control/v1/SessionKind.js';
import type { SessionKindName } from './NodeCommands.js';

const ROLE_TO_PROTO: Record<NodeRole, NodeRole__Output> = {
  origin: 'NODE_ROLE_ORIGIN',
  edge: 'NODE_ROLE_EDGE',
  'all-in-one': 'NODE_ROLE_ALL_IN_ONE',
  control: 'NODE_ROLE_CONTROL',
};

const STATE_TO_PROTO: Record<NodeState, NodeState__Output> = {
  ready: 'NODE_STATE_READY',
  draining: 'NODE_STATE_DRAINING',
};

const KIND_TO_PROTO: Record<SessionKindName, SessionKind__Output> = {
  publisher: 'SESSION_KIND_PUBLISHER',
  player: 'SESSION_KIND_PLAYER',
  relay: 'SESSION_KIND_RELAY',
};

export function roleToProto(role: NodeRole): NodeRole__Output {
  return ROLE_TO_PROTO[role] ?? 'NODE_ROLE_UNSPECIFIED';
}

/** undefined for UNSPECIFIED (no filter). */
export function roleFromProto(role: NodeRole__Output | undefined): NodeRole | undefined {
  for (const [k, v] of Object.entries(ROLE_TO_PROTO)) if (v === role) return k as NodeRole;
  return undefined;
}

export function stateToProto(state: NodeState): NodeState__Output {
  return STATE_TO_PROTO[state] ?? 'NODE_STATE_UNSPECIFIED';
}

export function kindToProto(kind: SessionKindName): SessionKind__Output {
  return KIND_TO_PROTO[kind];
}

/** undefined for UNSPECIFIED (no filter). */
export function kindFromProto(kind: SessionKind__Output | undefined): SessionKindName | undefined {
  for (const [k, v] of Object.entries(KIND_TO_PROTO)) if (v === kind) return k as SessionKindName;
  return undefined;
}

export function nodeToProto(n: NodeRecord, now: number): Node {
  return {
    id: n.id,
    role: roleToProto(n.role),
    address: n.address,
    version: n.version,
    state: stateToProto(n.state),
    startedAtMs: n.startedAt,
    uptimeMs: Math.max(0, now - n.startedAt),
    lastSeenMs: n.lastSeen,
    connections: Math.round(n.load.connections),
    streams: Math.round(n.load.streams),
    ingressBps: Math.round(n.load.ingressBps),
    egressBps: Math.round(n.load.egressBps),
  };
}

import { RegistryError } from './errors.js';
import { validateAddress, validateNodeId } from './validation.js';
import { NODE_ROLES, NODE_STATES, type NodeInfo, type NodeRole, type NodeState } from './types.js';

const ROLES: ReadonlySet<NodeRole> = new Set(NODE_ROLES);
const STATES: ReadonlySet<NodeState> = new Set(NODE_STATES);

function nonNegative(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RegistryError('INVALID_ARGUMENT', `node ${what} must be a finite number >= 0`);
  }
  return v;
}

/** Validates and returns a normalized copy (no extra properties leak into the store). */
export function normalizeNodeInfo(info: NodeInfo): NodeInfo {
  validateNodeId(info.id);
  if (!ROLES.has(info.role)) throw new RegistryError('INVALID_ARGUMENT', `unknown node role ${JSON.stringify(info.role)}`);
  if (!STATES.has(info.state)) throw new RegistryError('INVALID_ARGUMENT', `unknown node state ${JSON.stringify(info.state)}`);
  validateAddress(info.address);
  if (typeof info.version !== 'string' || info.version.length > 64) {
    throw new RegistryError('INVALID_ARGUMENT', 'node version must be a string of at most 64 characters');
  }
  const load = info.load ?? { connections: 0, streams: 0, ingressBps: 0, egressBps: 0 };
  return {
    id: info.id,
    role: info.role,
    address: info.address,
    version: info.version,
    startedAt: nonNegative('startedAt', info.startedAt),
    load: {
      connections: nonNegative('load.connections', load.connections),
      streams: nonNegative('load.streams', load.streams),
      ingressBps: nonNegative('load.ingressBps', load.ingressBps),
      egressBps: nonNegative('load.egressBps', load.egressBps),
    },
    state: info.state,
  };
}

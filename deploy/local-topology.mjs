// The local cluster's processes and ports, shared by deploy/local-cluster.mjs, deploy/docker-compose.yml (checked
// by test/cluster/local-cluster.test.ts) and the README: one place that says which name listens where.
//
// Ports from RTMPC_LOCAL_BASE (default 19350): +0 HAProxy (players), +1/+2 origins (publishers), +3/+4 edges,
// +5 the control node's RTMP setting (unused), +10+i HTTP (/healthz, /readyz, /metrics) of node i, +20 gRPC
// control API, +30 redis, +31 nats.

/** @param {number} base */
export function localPorts(base) {
  return {
    lb: base,
    rtmp: { 'origin-1': base + 1, 'origin-2': base + 2, 'edge-1': base + 3, 'edge-2': base + 4, control: base + 5 },
    http: { 'origin-1': base + 11, 'origin-2': base + 12, 'edge-1': base + 13, 'edge-2': base + 14, control: base + 15 },
    grpc: base + 20,
    redis: base + 30,
    nats: base + 31,
  };
}

export const DEFAULT_LOCAL_BASE = 19350;

/** The rtmp-cluster nodes, in start order, with their roles. */
export const LOCAL_NODES = [
  { name: 'origin-1', role: 'origin' },
  { name: 'origin-2', role: 'origin' },
  { name: 'edge-1', role: 'edge' },
  { name: 'edge-2', role: 'edge' },
  { name: 'control', role: 'control' },
];

/** Where a running local cluster takes commands (`npm run cluster:local -- restart NAME`). */
export function controlSocketPath(base, tmp) {
  return `${tmp}/rtmpc-local-${base}.sock`;
}

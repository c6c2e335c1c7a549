// Types of deploy/local-topology.mjs for the TypeScript tests that read the local cluster's layout.
export type LocalNodeName = 'origin-1' | 'origin-2' | 'edge-1' | 'edge-2' | 'control';
export interface LocalPorts {
  lb: number;
  rtmp: Record<LocalNodeName, number>;
  http: Record<LocalNodeName, number>;
  grpc: number;
  redis: number;
  nats: number;
}
export function localPorts(base: number): LocalPorts;
export const DEFAULT_LOCAL_BASE: number;
export const LOCAL_NODES: ReadonlyArray<{ name: LocalNodeName; role: 'origin' | 'edge' | 'control' }>;
export function controlSocketPath(base: number, tmp: string): string;

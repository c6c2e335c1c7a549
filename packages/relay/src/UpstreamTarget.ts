/** Where a relay pulls a stream from: the owning origin as the registry (or an event) names it. */
export interface UpstreamTarget {
  /** internal RTMP address of the origin, 'host:port' ('[v6]:port' for IPv6) */
  address: string;
  /** the origin's node id */
  ownerId: string;
  /** fencing epoch of the claim: strictly increasing per stream while the registry keeps its state */
  epoch: number;
}

export function sameUpstream(a: UpstreamTarget | undefined, b: UpstreamTarget | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.ownerId === b.ownerId;
}

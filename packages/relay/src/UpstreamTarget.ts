/** Where a relay pulls a stream from: the owning origin as the registry (or an event) names it. */
export interface UpstreamTarget {
  /** internal RTMP address of the origin, 'host:port' ('[v6]:port' for IPv6) */
  address: string;
  /** the origin's node id */
  ownerId: string;
  /** fencing epoch of the claim: strictly increasing per stream while the registry keeps its state */
  epoch: number;
}

/** Splits 'host:port' / '[v6]:port'. Throws RangeError on anything else. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new RangeError(`upstream address must be 'host:port', got ${JSON.stringify(address)}`);
  return { host: (m[1] ?? m[2])!, port };
}

export function sameUpstream(a: UpstreamTarget | undefined, b: UpstreamTarget | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.ownerId === b.ownerId;
}

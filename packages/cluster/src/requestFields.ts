import type { AccessRequest } from '@rtmp-cluster/auth';
import type { StreamRequest } from '@rtmp-cluster/server';

/** '1.2.3.4:5678' / '[::1]:5678' -> the address part. */
export function clientIp(remoteAddress: string): string {
  const v6 = /^\[([^\]]+)\]:\d+$/.exec(remoteAddress);
  if (v6) return v6[1]!;
  const i = remoteAddress.lastIndexOf(':');
  return i > 0 && remoteAddress.indexOf(':') === i ? remoteAddress.slice(0, i) : remoteAddress;
}

/** The auth package's view of a publish/play request. */
export function accessRequest(req: StreamRequest): AccessRequest {
  return { app: req.app, name: req.name, query: req.query, tcUrl: req.tcUrl, clientIp: clientIp(req.remoteAddress) };
}

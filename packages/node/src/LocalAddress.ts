/**
 * How a client on this machine dials one of the node's listeners: a wildcard bind address is reached over the
 * loopback, an IPv6 literal needs brackets in host:port and in URLs.
 */
import { bracketHost } from '@rtmp-cluster/core';

export function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return bracketHost(host);
}

/** `scheme://host:port/path` for a listener; `path` may omit its leading slash. */
export function localUrl(scheme: string, listener: { address: string; port: number }, path = ''): string {
  return `${scheme}://${localHost(listener.address)}:${listener.port}${path.startsWith('/') || path === '' ? path : `/${path}`}`;
}

import net from 'node:net';
import type { TrustedProxies } from './WebServer.js';

/**
 * RTMPC_WEB_TRUSTED_PROXIES ('10.0.0.0/8, 192.168.1.7, fd00::/8') as the proxies whose X-Forwarded-For
 * the listener believes. Throws on an entry that is not an address or CIDR.
 */
export function trustedProxyList(entries: readonly string[]): TrustedProxies {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [addr = '', prefix] = entry.trim().split('/');
    const type = net.isIPv6(addr) ? 'ipv6' : net.isIPv4(addr) ? 'ipv4' : undefined;
    if (type === undefined) throw new Error(`trusted proxy ${JSON.stringify(entry)} is not an IP address or CIDR`);
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return {
    contains: (ip) => {
      const type = net.isIPv6(ip) ? 'ipv6' : net.isIPv4(ip) ? 'ipv4' : undefined;
      return type !== undefined && list.check(ip, type);
    },
  };
}

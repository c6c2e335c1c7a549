import { CodedError } from './CodedError.js';

/**
 * Network addresses as the cluster writes them: 'host:port' with IPv6 in brackets ('[::1]:1935'), client IPs
 * with IPv4-mapped IPv6 reduced to IPv4, CIDR ranges for trusted peers (PROXY protocol) and the key that
 * per-address limits count under (an IPv6 client usually owns a whole /64, so the /64 is one address).
 */
export class AddressError extends CodedError<'INVALID_ADDRESS' | 'INVALID_CIDR'> {
  override readonly name = 'AddressError';
  readonly domain = 'address';
}

export interface HostPort {
  /** a name, an IPv4 address or an IPv6 address (without brackets) */
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;

/** 'host:port' or '[v6]:port' -> parts, or undefined for anything else. */
export function tryParseHostPort(address: string): HostPort | undefined {
  const m = typeof address === 'string' ? HOST_PORT.exec(address) : null;
  if (!m) return undefined;
  const port = Number(m[3]);
  const host = (m[1] ?? m[2])!;
  if (!(port >= 1 && port <= 65535) || (m[1] !== undefined && parseIpv6(host) === undefined)) return undefined;
  return { host, port };
}

/** 'host:port' or '[v6]:port' -> parts; throws AddressError INVALID_ADDRESS on anything else. */
export function parseHostPort(address: string): HostPort {
  const parsed = tryParseHostPort(address);
  if (parsed === undefined) {
    throw new AddressError('INVALID_ADDRESS', `address must be 'host:port' or '[ipv6]:port', got ${JSON.stringify(address)}`);
  }
  return parsed;
}

/** true when parseHostPort would accept the address. */
export function isHostPort(address: string): boolean {
  return tryParseHostPort(address) !== undefined;
}

/** host + port -> 'host:port', bracketing IPv6 literals. */
export function formatHostPort(host: string, port: number): string {
  return `${bracketHost(host)}:${port}`;
}

/** An IPv6 literal in brackets (for host:port and URLs); anything else unchanged. */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A socket's remote address for logs and limits: IPv4-mapped IPv6 ('::ffff:10.0.0.1') as IPv4; '?' if unknown. */
export function normalizeIp(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** '1.2.3.4:5678', '[::1]:5678', '::ffff:1.2.3.4:5678' -> the IP part, normalized. */
export function ipOfRemoteAddress(remoteAddress: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(remoteAddress);
  if (bracketed) return normalizeIp(bracketed[1]!);
  const i = remoteAddress.lastIndexOf(':');
  return normalizeIp(i > 0 ? remoteAddress.slice(0, i) : remoteAddress);
}

/** 4 bytes for IPv4, 16 for IPv6 (IPv4-mapped IPv6 stays 16: see ipBytes). */
export function parseIp(ip: string): Uint8Array | undefined {
  return parseIpv4(ip) ?? parseIpv6(ip);
}

/** The address as the bytes limits and CIDRs compare: IPv4-mapped IPv6 becomes its 4 IPv4 bytes. */
function ipBytes(ip: string): Uint8Array | undefined {
  const bytes = parseIp(ip);
  if (bytes?.length === 16 && isV4Mapped(bytes)) return bytes.subarray(12);
  return bytes;
}

export interface Cidr {
  /** the network as written, normalized ('10.0.0.0/8', '2001:db8::/32') */
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** '10.0.0.0/8', '2001:db8::/32', a bare address (= /32 or /128). Throws AddressError INVALID_CIDR. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = ipBytes(addr.trim());
  const bits = bytes ? bytes.length * 8 : 0;
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1).trim();
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!bytes || !(prefix >= 0 && prefix <= bits)) {
    throw new AddressError('INVALID_CIDR', `not an IPv4 or IPv6 CIDR: ${JSON.stringify(text)}`);
  }
  return { text: `${addr.trim()}/${prefix}`, bytes, prefix };
}

/** true when ip (IPv4, IPv6 or IPv4-mapped IPv6) lies in the range. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const bytes = ipBytes(ip);
  return bytes !== undefined && bytes.length === cidr.bytes.length && samePrefix(bytes, cidr.bytes, cidr.prefix);
}

/** A list of ranges, e.g. the peers trusted to send a PROXY protocol header. */
export class CidrList {
  readonly ranges: readonly Cidr[];
  constructor(ranges: readonly (string | Cidr)[]) {
    this.ranges = ranges.map((r) => (typeof r === 'string' ? parseCidr(r) : r));
  }
  /** 'a/8, b/16' -> list (empty entries ignored). */
  static parse(list: string): CidrList {
    return new CidrList(list.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  }
  contains(ip: string): boolean {
    return this.ranges.some((r) => cidrContains(r, ip));
  }
}

/**
 * The key per-address limits count under: an IPv4 address as itself, an IPv6 address as its /64
 * ('2001:db8:1:2::/64'), since one subscriber line or host gets a whole /64 to pick addresses from.
 * Unparseable input is returned as it is (it is still one bucket).
 */
export function addressLimitKey(address: string): string {
  const ip = normalizeIp(address);
  const bytes = ipBytes(ip);
  if (!bytes || bytes.length === 4) return ip;
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `${groups.join(':')}::/64`;
}

function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(input: string): Uint8Array | undefined {
  const s = input.replace(/%[\w.-]+$/, ''); // a zone ('fe80::1%eth0') does not change the address
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length > 45) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) {
        out.push(Number.parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

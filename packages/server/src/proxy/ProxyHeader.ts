/**
 * PROXY protocol header parsing (HAProxy's PROXY protocol, versions 1 and 2): the few bytes a load balancer
 * writes before the client's own bytes, naming the client's address. Pure: bytes in, a result out.
 *
 * An RTMP connection starts with 0x03 (C0), a TLS one with 0x16; a v1 header with 'P', a v2 header with 0x0D.
 * So the first byte tells whether a header is there at all.
 */
import { CodedError, parseIp } from '@rtmp-cluster/core';

export type ProxyErrorCode = 'PROXY_HEADER_INVALID' | 'PROXY_HEADER_MISSING' | 'PROXY_HEADER_UNTRUSTED';

export class ProxyProtocolError extends CodedError<ProxyErrorCode> {
  readonly domain = 'server' as const;
}

export interface ProxyAddress {
  /** normalized IP (IPv4 dotted, IPv6 as Node prints it) */
  address: string;
  port: number;
}

export type ProxyHeaderResult =
  /** not enough bytes yet to tell */
  | { kind: 'incomplete' }
  /**
   * a header of `length` bytes. `source` is the client; undefined for a LOCAL command (the balancer's own
   * health check) or an UNKNOWN/unspecified family, where the connection's own address stands.
   */
  | { kind: 'header'; version: 1 | 2; length: number; source: ProxyAddress | undefined; destination: ProxyAddress | undefined };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** the spec's maximum for a v1 line, CRLF included */
const V1_MAX_LENGTH = 107;
/**
 * The largest v2 header accepted (16-byte preamble plus addresses and TLVs). Addresses take at most 216
 * bytes (unix); the rest is room for TLVs (AWS and Azure put endpoint ids there). A length field beyond it is
 * an error before anything is buffered for it.
 */
export const V2_MAX_LENGTH = 16 + 1024;

/** The first byte of a PROXY header (v1 'P', v2 0x0D). */
export function startsLikeProxyHeader(firstByte: number): boolean {
  return firstByte === 0x50 || firstByte === 0x0d;
}

/**
 * Parses the PROXY header at the start of `buf`. Throws ProxyProtocolError PROXY_HEADER_INVALID when the
 * bytes are not a valid header (or start like none); 'incomplete' while more bytes could still make one.
 */
export function parseProxyHeader(buf: Buffer): ProxyHeaderResult {
  if (buf.length === 0) return { kind: 'incomplete' };
  if (buf[0] === 0x50) return parseV1(buf);
  if (buf[0] === 0x0d) return parseV2(buf);
  throw invalid(`expected a PROXY header, got first byte 0x${buf[0]!.toString(16).padStart(2, '0')}`);
}

function invalid(message: string): ProxyProtocolError {
  return new ProxyProtocolError('PROXY_HEADER_INVALID', message);
}

function parseV1(buf: Buffer): ProxyHeaderResult {
  const prefix = Math.min(buf.length, V1_PREFIX.length);
  if (!buf.subarray(0, prefix).equals(V1_PREFIX.subarray(0, prefix))) throw invalid('not a PROXY v1 line');
  const end = buf.indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (buf.length >= V1_MAX_LENGTH) throw invalid(`PROXY v1 line longer than ${V1_MAX_LENGTH} bytes`);
    // a lone LF, or any byte outside printable ASCII, can never become a valid line
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if ((c < 0x20 || c > 0x7e) && !(c === 0x0d && i === buf.length - 1)) throw invalid('PROXY v1 line with a control byte');
    }
    return { kind: 'incomplete' };
  }
  const length = end + 2;
  if (length > V1_MAX_LENGTH) throw invalid(`PROXY v1 line longer than ${V1_MAX_LENGTH} bytes`);
  const line = buf.toString('latin1', 0, end);
  const parts = line.split(' ');
  const proto = parts[1];
  if (proto === 'UNKNOWN') return { kind: 'header', version: 1, length, source: undefined, destination: undefined };
  if ((proto !== 'TCP4' && proto !== 'TCP6') || parts.length !== 6) throw invalid(`PROXY v1 line '${line.slice(0, 60)}' is malformed`);
  const family = proto === 'TCP4' ? 4 : 6;
  const source = { address: v1Address(parts[2]!, family), port: v1Port(parts[4]!) };
  const destination = { address: v1Address(parts[3]!, family), port: v1Port(parts[5]!) };
  return { kind: 'header', version: 1, length, source, destination };
}

function v1Address(text: string, family: 4 | 6): string {
  const bytes = text.length <= 45 ? parseIp(text) : undefined;
  if (bytes === undefined || bytes.length !== (family === 4 ? 4 : 16)) throw invalid(`bad TCP${family} address '${text.slice(0, 45)}'`);
  return family === 4 ? text : ipv6FromBytes(bytes);
}

function v1Port(text: string): number {
  if (!/^(0|[1-9]\d{0,4})$/.test(text) || Number(text) > 65535) throw invalid(`bad port '${text.slice(0, 8)}'`);
  return Number(text);
}

function parseV2(buf: Buffer): ProxyHeaderResult {
  const prefix = Math.min(buf.length, V2_SIGNATURE.length);
  if (!buf.subarray(0, prefix).equals(V2_SIGNATURE.subarray(0, prefix))) throw invalid('not a PROXY v2 signature');
  if (buf.length < 16) return { kind: 'incomplete' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) throw invalid(`PROXY v2 version ${verCmd >> 4}`);
  const command = verCmd & 0x0f;
  if (command > 1) throw invalid(`PROXY v2 command ${command}`);
  const famProto = buf[13]!;
  const addrLength = buf.readUInt16BE(14);
  const length = 16 + addrLength;
  if (length > V2_MAX_LENGTH) throw invalid(`PROXY v2 header of ${length} bytes (limit ${V2_MAX_LENGTH})`);
  if (buf.length < length) return { kind: 'incomplete' };
  // LOCAL: the balancer speaks for itself (health checks); the connection's own address stands.
  if (command === 0) return { kind: 'header', version: 2, length, source: undefined, destination: undefined };
  const family = famProto >> 4;
  const transport = famProto & 0x0f;
  if (family === 0 || transport !== 1) {
    // unspecified family, UDP or unix: nothing a TCP listener can use as a client address
    return { kind: 'header', version: 2, length, source: undefined, destination: undefined };
  }
  if (family === 1) {
    if (addrLength < 12) throw invalid('PROXY v2 TCP4 addresses truncated');
    const ip = (o: number): string => `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}`;
    return {
      kind: 'header',
      version: 2,
      length,
      source: { address: ip(16), port: buf.readUInt16BE(24) },
      destination: { address: ip(20), port: buf.readUInt16BE(26) },
    };
  }
  if (family === 2) {
    if (addrLength < 36) throw invalid('PROXY v2 TCP6 addresses truncated');
    return {
      kind: 'header',
      version: 2,
      length,
      source: { address: ipv6FromBytes(buf.subarray(16, 32)), port: buf.readUInt16BE(48) },
      destination: { address: ipv6FromBytes(buf.subarray(32, 48)), port: buf.readUInt16BE(50) },
    };
  }
  if (family === 3) return { kind: 'header', version: 2, length, source: undefined, destination: undefined };
  throw invalid(`PROXY v2 address family ${family}`);
}

/** IPv6 as Node prints socket addresses (lower case, zeros compressed); IPv4-mapped as its IPv4 address. */
function ipv6FromBytes(b: Uint8Array): string {
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // the longest run of two or more zero words becomes '::'
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

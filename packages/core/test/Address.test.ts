import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AddressError,
  CidrList,
  addressLimitKey,
  cidrContains,
  formatHostPort,
  ipOfRemoteAddress,
  normalizeIp,
  parseCidr,
  parseHostPort,
  parseIp,
} from '../src/index.js';

describe('host:port', () => {
  it('parses names, IPv4 and bracketed IPv6', () => {
    expect(parseHostPort('origin-1.svc:1935')).toEqual({ host: 'origin-1.svc', port: 1935 });
    expect(parseHostPort('10.0.0.1:19350')).toEqual({ host: '10.0.0.1', port: 19350 });
    expect(parseHostPort('[::1]:1935')).toEqual({ host: '::1', port: 1935 });
    expect(parseHostPort('[fe80::1%eth0]:1')).toEqual({ host: 'fe80::1%eth0', port: 1 });
  });

  it('refuses anything else with INVALID_ADDRESS', () => {
    for (const bad of ['', 'host', ':1935', 'host:0', 'host:65536', '::1:1935', '[::1]', '[nothex]:1', '[1::2::3]:1', 'a b:1', 'h:1935 ']) {
      expect(() => parseHostPort(bad), bad).toThrow(AddressError);
      try {
        parseHostPort(bad);
      } catch (err) {
        expect((err as AddressError).qualifiedCode).toBe('address.INVALID_ADDRESS');
      }
    }
  });

  it('formats with brackets for IPv6 and round-trips', () => {
    expect(formatHostPort('::1', 80)).toBe('[::1]:80');
    expect(formatHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        expect(parseHostPort(formatHostPort(host, port))).toEqual({ host, port });
      }),
    );
  });
});

describe('client IPs', () => {
  it('reduces IPv4-mapped IPv6 to IPv4 and finds the IP of a remote address', () => {
    expect(normalizeIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp(undefined)).toBe('?');
    expect(ipOfRemoteAddress('1.2.3.4:5678')).toBe('1.2.3.4');
    expect(ipOfRemoteAddress('[::1]:5678')).toBe('::1');
    expect(ipOfRemoteAddress('::ffff:1.2.3.4:5678')).toBe('1.2.3.4');
  });

  it('parses IPv6 forms to 16 bytes', () => {
    expect([...parseIp('::')!]).toEqual(new Array(16).fill(0));
    expect([...parseIp('1::')!].slice(0, 2)).toEqual([0, 1]);
    expect([...parseIp('::ffff:1.2.3.4')!].slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7')).toBeUndefined();
    expect(parseIp('01.2.3.4')).toBeUndefined();
    expect(parseIp('256.1.1.1')).toBeUndefined();
  });
});

describe('CIDR', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 against v4 ranges', () => {
    const v4 = parseCidr('10.0.0.0/8');
    expect(cidrContains(v4, '10.200.3.4')).toBe(true);
    expect(cidrContains(v4, '11.0.0.1')).toBe(false);
    expect(cidrContains(v4, '::ffff:10.0.0.9')).toBe(true);
    expect(cidrContains(v4, '::1')).toBe(false);
    const odd = parseCidr('192.168.4.0/22');
    expect(cidrContains(odd, '192.168.7.255')).toBe(true);
    expect(cidrContains(odd, '192.168.8.0')).toBe(false);
    const v6 = parseCidr('2001:db8::/32');
    expect(cidrContains(v6, '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains(v6, '2001:db9::1')).toBe(false);
    expect(cidrContains(v6, '10.0.0.1')).toBe(false);
    expect(cidrContains(parseCidr('127.0.0.1'), '127.0.0.1')).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0'), '8.8.8.8')).toBe(true);
    expect(CidrList.parse('10.0.0.0/8, ::1/128').contains('::1')).toBe(true);
    expect(CidrList.parse('').contains('::1')).toBe(false);
  });

  it('refuses bad ranges with INVALID_CIDR', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'x/8', '10.0.0.0/', '10.0.0/8', '10.0.0.0/-1']) {
      expect(() => parseCidr(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_CIDR' }));
    }
  });

  it('agrees with a byte-by-byte prefix comparison', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (net, ip, prefix) => {
        const toInt = (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const expected = ((toInt(net) & mask) >>> 0) === ((toInt(ip) & mask) >>> 0);
        expect(cidrContains(parseCidr(`${net}/${prefix}`), ip)).toBe(expected);
      }),
    );
  });
});

describe('addressLimitKey', () => {
  it('counts IPv4 per address and IPv6 per /64', () => {
    expect(addressLimitKey('10.0.0.1')).toBe('10.0.0.1');
    expect(addressLimitKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressLimitKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressLimitKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressLimitKey('2001:db8:1:3::1')).not.toBe(addressLimitKey('2001:db8:1:2::1'));
    expect(addressLimitKey('::1')).toBe('0:0:0:0::/64');
  });
});

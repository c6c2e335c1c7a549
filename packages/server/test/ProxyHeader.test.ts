import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProxyHeader, ProxyProtocolError, V2_MAX_LENGTH } from '../src/proxy/ProxyHeader.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SIG = '0d0a0d0a000d0a515549540a';
const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof ProxyProtocolError ? err.code : `not a ProxyProtocolError: ${String(err)}`;
  }
};

describe('PROXY protocol header', () => {
  it('v1 TCP4 and TCP6 lines name the client; the bytes after the line are left', () => {
    const v4 = Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.5 51234 1935\r\n\x03rest', 'latin1');
    expect(parseProxyHeader(v4)).toEqual({
      kind: 'header',
      version: 1,
      length: v4.length - 5,
      source: { address: '203.0.113.7', port: 51234 },
      destination: { address: '10.0.0.5', port: 1935 },
    });
    const v6 = Buffer.from('PROXY TCP6 2001:DB8:0:0:1::7 2001:db8::5 443 1935\r\n', 'latin1');
    expect(parseProxyHeader(v6)).toMatchObject({ kind: 'header', source: { address: '2001:db8::1:0:0:7', port: 443 } });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n', 'latin1'))).toMatchObject({ kind: 'header', source: undefined });
  });

  it('v2 PROXY TCP4/TCP6 with TLVs, LOCAL, and IPv4-mapped sources', () => {
    const v4 = hex(`${SIG} 21 11 0011  cb007107 0a000005 c822 078f  03 0002 abcd`);
    expect(parseProxyHeader(Buffer.concat([v4, hex('03')]))).toEqual({
      kind: 'header',
      version: 2,
      length: v4.length,
      source: { address: '203.0.113.7', port: 51234 },
      destination: { address: '10.0.0.5', port: 1935 },
    });
    const v6 = hex(`${SIG} 21 21 0024  20010db8000000010000000000000007 20010db8000000000000000000000005 01bb 078f`);
    expect(parseProxyHeader(v6)).toMatchObject({ source: { address: '2001:db8:0:1::7', port: 443 } });
    const mapped = hex(`${SIG} 21 21 0024  00000000000000000000ffffc0000201 00000000000000000000000000000001 0001 0002`);
    expect(parseProxyHeader(mapped)).toMatchObject({ source: { address: '192.0.2.1', port: 1 } });
    expect(parseProxyHeader(hex(`${SIG} 20 00 0000`))).toEqual({ kind: 'header', version: 2, length: 16, source: undefined, destination: undefined });
  });

  it('is incomplete while more bytes could still make a header, at every split', () => {
    const whole = [
      Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.5 51234 1935\r\n', 'latin1'),
      hex(`${SIG} 21 11 000c  cb007107 0a000005 c822 078f`),
    ];
    for (const h of whole) {
      for (let i = 0; i < h.length; i++) expect(parseProxyHeader(h.subarray(0, i))).toEqual({ kind: 'incomplete' });
      expect(parseProxyHeader(h)).toMatchObject({ kind: 'header', length: h.length });
    }
  });

  it('refuses malformed headers with PROXY_HEADER_INVALID, and bounds what it waits for', () => {
    expect(code(() => parseProxyHeader(Buffer.from([0x03])))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n', 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 1 65536\r\n', 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n', 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from('PROXY TCP6 1.2.3.4 ::1 1 2\r\n', 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from(`PROXY ${'x'.repeat(120)}`, 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4\n', 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(Buffer.from('PROXZ', 'latin1')))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(hex(`${SIG} 31 11 000c`)))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(hex(`${SIG} 22 11 000c`)))).toBe('PROXY_HEADER_INVALID');
    expect(code(() => parseProxyHeader(hex(`${SIG} 21 11 0004 01020304`)))).toBe('PROXY_HEADER_INVALID');
    const tooLong = hex(`${SIG} 21 11 ${(V2_MAX_LENGTH - 15).toString(16).padStart(4, '0')}`);
    expect(code(() => parseProxyHeader(tooLong))).toBe('PROXY_HEADER_INVALID');
  });

  it('fuzz: any bytes give incomplete, a header within its bounds, or PROXY_HEADER_INVALID; never another throw', () => {
    const prefixes = [Buffer.from('PROXY TCP4 ', 'latin1'), Buffer.from('PROXY TCP6 ', 'latin1'), hex(`${SIG} 21`), hex(SIG), Buffer.alloc(0)];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: prefixes.length - 1 }), fc.uint8Array({ maxLength: 300 }), (p, tail) => {
        const buf = Buffer.concat([prefixes[p]!, Buffer.from(tail)]);
        try {
          const r = parseProxyHeader(buf);
          if (r.kind === 'header') {
            expect(r.length).toBeLessThanOrEqual(Math.max(107, V2_MAX_LENGTH));
            expect(r.length).toBeLessThanOrEqual(buf.length);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ProxyProtocolError);
        }
      }),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 5000) },
    );
  });
});

import fc from 'fast-check';
import { expect } from 'vitest';
import type { AmfValue } from '@rtmp-cluster/rtmp';

/** decode(encode(values)) deep-equals the values and encode(decode(bytes)) reproduces the bytes. */
export function assertRoundTrip(value: fc.Arbitrary<AmfValue>, encode: (v: AmfValue[]) => Buffer, decode: (b: Buffer) => AmfValue[]): void {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (values) => {
      const bytes = encode(values);
      const decoded = decode(bytes);
      expect(decoded).toStrictEqual(values);
      expect(encode(decoded).equals(bytes)).toBe(true);
    }),
    { numRuns: 500 },
  );
}

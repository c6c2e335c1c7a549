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

/**
 * Values built to hold one instance in several places (`build`) decode with every place in
 * `placesOf(decoded)` the same instance, deep-equal the input, and re-encode to the same bytes.
 */
export function assertSharedRoundTrip<T>(
  input: fc.Arbitrary<T>,
  build: (t: T) => AmfValue[],
  placesOf: (decoded: AmfValue[]) => unknown[],
  encode: (v: AmfValue[]) => Buffer,
  decode: (b: Buffer) => AmfValue[],
): void {
  fc.assert(
    fc.property(input, (t) => {
      const values = build(t);
      const bytes = encode(values);
      const decoded = decode(bytes);
      const [first, ...others] = placesOf(decoded);
      for (const other of others) expect(other).toBe(first);
      expect(decoded).toStrictEqual(values);
      expect(encode(decoded).equals(bytes)).toBe(true);
    }),
    { numRuns: 200 },
  );
}

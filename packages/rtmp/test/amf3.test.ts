import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmfByteArray,
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  RtmpError,
  amfClassName,
  decodeAmf3,
  encodeAmf3,
  type AmfValue,
} from '@rtmp-cluster/rtmp';
import { h } from './support/hex.js';
import { errorCode } from './support/rtmpError.js';
import { assertRoundTrip, assertSharedRoundTrip } from './support/amfRoundTrip.js';

function expectCanonical(bytes: Buffer, values: AmfValue[]): void {
  const decoded = decodeAmf3(bytes);
  expect(decoded).toStrictEqual(values);
  expect(encodeAmf3(decoded).toString('hex')).toBe(bytes.toString('hex'));
}

describe('AMF3 values [conf 38]', () => {
  it('[conf 38] undefined, null, false, true', () => {
    expectCanonical(h`00 01 02 03`, [undefined, null, false, true]);
  });

  it('[conf 38] U29 integers in 1 to 4 bytes, 29-bit signed', () => {
    expectCanonical(h`04 00`, [0]);
    expectCanonical(h`04 7f`, [127]);
    expectCanonical(h`04 81 00`, [128]);
    expectCanonical(h`04 ff 7f`, [0x3fff]);
    expectCanonical(h`04 81 80 00`, [0x4000]);
    expectCanonical(h`04 bf ff ff ff`, [0x0fffffff]);
    expectCanonical(h`04 ff ff ff ff`, [-1]);
    expectCanonical(h`04 c0 80 80 00`, [-0x10000000]);
    // outside the 29-bit range, and -0, need a double
    expectCanonical(h`05 41b0000000000000`, [0x10000000]);
    expect(Object.is(decodeAmf3(encodeAmf3([-0]))[0], -0)).toBe(true);
  });

  it('[conf 38] double', () => {
    expectCanonical(h`05 3ff8000000000000`, [1.5]);
  });

  it('[conf 38] strings use the string reference table; the empty string is never referenced', () => {
    expectCanonical(h`06 0b 68656c6c6f  06 01  06 00  06 03 78  06 02`, ['hello', '', 'hello', 'x', 'x']);
    expect(errorCode(() => decodeAmf3(h`06 02`))).toBe('AMF_BAD_REFERENCE');
  });

  it('[conf 38] XMLDocument (0x07) and XML (0x0B)', () => {
    expectCanonical(h`07 09 3c612f3e`, [new AmfXmlDocument('<a/>')]);
    expectCanonical(h`0b 09 3c622f3e`, [new AmfXml('<b/>')]);
  });

  it('[conf 38] date and date references (dates share the object table)', () => {
    const bytes = h`09 05 01  08 01 4276d4fb00a00000  08 02`;
    const [arr] = decodeAmf3(bytes) as [Date[]];
    expect(arr[0]).toStrictEqual(new Date(1_569_000_000_000));
    expect(arr[1]).toBe(arr[0]);
    expect(encodeAmf3([arr]).equals(bytes)).toBe(true);
  });

  it('[conf 38] dense array, associative array and mixed array', () => {
    expectCanonical(h`09 05 01 04 01 04 02`, [[1, 2]]);
    expectCanonical(h`09 01 01`, [[]]);
    expectCanonical(h`09 01 03 61 04 01 01`, [new AmfEcmaArray({ a: 1 })]);
    const [mixed] = decodeAmf3(h`09 03 03 61 04 01 01 04 07`) as [AmfEcmaArray];
    expect(mixed).toStrictEqual(new AmfEcmaArray({ 0: 7, a: 1 }));
    expect(mixed.a).toBe(1);
    expect(encodeAmf3([mixed]).toString('hex')).toBe('0903036104010104' + '07');
  });

  it('[conf 38] anonymous dynamic object', () => {
    expectCanonical(h`0a 0b 01 03 61 04 01 01`, [{ a: 1 }]);
  });

  it('[conf 38] sealed typed object, then a traits reference for the second instance', () => {
    const bytes = h`09 05 01  0a 13 07 466f6f 03 78 04 01  0a 01 04 02`;
    const [arr] = decodeAmf3(bytes) as [AmfTypedObject[]];
    expect(arr.map((o) => amfClassName(o))).toEqual(['Foo', 'Foo']);
    expect(arr.map((o) => o['x'])).toEqual([1, 2]);
    expect(encodeAmf3([arr]).equals(bytes)).toBe(true);
    expect(errorCode(() => decodeAmf3(h`0a 01`))).toBe('AMF_BAD_REFERENCE');
  });

  it('[conf 38] sealed + dynamic members keep their layout on re-encoding', () => {
    // traits: 1 sealed member, dynamic, class 'P'; sealed x=1; dynamic y=2
    const bytes = h`0a 1b 03 50 03 78 04 01 03 79 04 02 01`;
    const [obj] = decodeAmf3(bytes) as [AmfTypedObject];
    expect(obj).toStrictEqual(new AmfTypedObject('P', { x: 1, y: 2 }));
    expect(encodeAmf3([obj]).equals(bytes)).toBe(true);
  });

  it('[conf 38] object references, including a cycle', () => {
    expectCanonical(h`09 05 01 0a 0b 01 01 0a 02`, (() => {
      const o = {};
      return [[o, o]];
    })());
    const [self] = decodeAmf3(h`0a 0b 01 09 73656c66 0a 00 01`) as [Record<string, AmfValue>];
    expect(self['self']).toBe(self);
    expect(errorCode(() => decodeAmf3(h`09 00`))).toBe('AMF_BAD_REFERENCE');
  });

  it('[conf 38] externalizable: known flex collections decode, unknown classes are rejected cleanly', () => {
    const name = Buffer.from('flex.messaging.io.ArrayCollection').toString('hex');
    const bytes = Buffer.from(`0a07${(33 * 2 + 1).toString(16)}${name}0903010401`, 'hex');
    expectCanonical(bytes, [new AmfExternalizable('flex.messaging.io.ArrayCollection', [1])]);
    expect(errorCode(() => decodeAmf3(h`0a 07 07 466f6f 04 01`))).toBe('AMF_UNSUPPORTED_TYPE');
  });

  it('[conf 38] ByteArray', () => {
    expectCanonical(h`0c 07 010203`, [new AmfByteArray(Buffer.from([1, 2, 3]))]);
  });

  it('[conf 38] vectors of int, uint, double and object', () => {
    expectCanonical(h`0d 05 00 00000001 fffffffe`, [new AmfVector('int', [1, -2])]);
    expectCanonical(h`0e 03 01 ffffffff`, [new AmfVector('uint', [0xffffffff], true)]);
    expectCanonical(h`0f 03 00 3ff8000000000000`, [new AmfVector('double', [1.5])]);
    expectCanonical(h`10 05 00 07 466f6f 04 01 06 03 61`, [new AmfVector('object', [1, 'a'], false, 'Foo')]);
  });

  it('[conf 38] Dictionary with non-string keys', () => {
    expectCanonical(h`11 05 01 04 01 06 03 61 0a 0b 01 01 02`, [new AmfDictionary([[1, 'a'], [{}, false]], true)]);
  });

  it('[conf 38] unknown markers and truncations are typed errors', () => {
    expect(errorCode(() => decodeAmf3(h`12`))).toBe('AMF_UNSUPPORTED_MARKER');
    expect(errorCode(() => decodeAmf3(h`04 ff`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf3(h`05 3ff8`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf3(h`06 0b 6865`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf3(h`0a 0b 01 03 61`))).toBe('AMF_TRUNCATED');
  });

  it('[conf 35] huge declared counts are refused before allocating', () => {
    // dense array of 2^28-1 elements; vectors of a million doubles; a million sealed members; a 256 MB string
    expect(errorCode(() => decodeAmf3(h`09 ff ff ff ff 01`))).toBe('AMF_COUNT_EXCEEDED');
    expect(errorCode(() => decodeAmf3(h`09 ff ff 7f 01`, { maxAmfItems: 1 << 22 }))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf3(h`0f bf ff ff ff 00`))).toBe('AMF_COUNT_EXCEEDED');
    expect(errorCode(() => decodeAmf3(h`0f 09 00 3ff0000000000000`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf3(h`0a ff ff ff f3 01`))).toBe('AMF_COUNT_EXCEEDED');
    expect(errorCode(() => decodeAmf3(h`06 ff ff ff ff`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf3(h`11 ff ff ff ff 00`))).toBe('AMF_COUNT_EXCEEDED');
  });

  it('[conf 35] nesting is bounded by maxAmfDepth', () => {
    const nested = (depth: number): Buffer => Buffer.concat([...Array.from({ length: depth }, () => h`09 03 01`), h`01`]);
    expect(decodeAmf3(nested(32))).toHaveLength(1);
    expect(errorCode(() => decodeAmf3(nested(33)))).toBe('AMF_DEPTH_EXCEEDED');
  });
});

const dynKey = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.constantFrom('a', 'b', '__proto__', '0', '12'));
const pooled = fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('a', 'b', 'onMetaData'));
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

const amf3Value = fc.letrec<{ value: AmfValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double(),
    fc.integer({ min: -(2 ** 28), max: 2 ** 28 - 1 }),
    int32,
    fc.boolean(),
    pooled,
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    pooled.map((s) => new AmfXmlDocument(s)),
    pooled.map((s) => new AmfXml(s)),
    fc.uint8Array({ maxLength: 16 }).map((b) => new AmfByteArray(Buffer.from(b))),
    fc.tuple(fc.array(int32, { maxLength: 4 }), fc.boolean()).map(([a, fixed]) => new AmfVector('int', a, fixed)),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 4 }).map((a) => new AmfVector('uint', a)),
    fc.array(fc.double(), { maxLength: 4 }).map((a) => new AmfVector('double', a)),
    fc.tuple(fc.array(tie('value'), { maxLength: 3 }), pooled).map(([a, t]) => new AmfVector('object', a, false, t)),
    fc.tuple(fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }), fc.boolean()).map(([e, weak]) => new AmfDictionary(e, weak)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(dynKey, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    fc.dictionary(dynKey, tie('value'), { minKeys: 1, maxKeys: 5, noNullPrototype: true }).map((o) => new AmfEcmaArray(o)),
    fc
      .tuple(fc.constantFrom('', 'Foo', 'a.b.Bar'), fc.dictionary(dynKey, tie('value'), { maxKeys: 4, noNullPrototype: true }))
      .map(([name, o]) => new AmfTypedObject(name, o)),
    tie('value').map((v) => new AmfExternalizable('flex.messaging.io.ArrayCollection', v)),
  ),
})).value;

describe('AMF3 round trip (property)', () => {
  it('[conf 38] decode(encode(v)) deep-equals v and encode(decode(bytes)) reproduces the bytes', () => {
    assertRoundTrip(amf3Value, encodeAmf3, decodeAmf3);
  });

  it('[conf 38] shared instances come back shared and re-encode to the same bytes', () => {
    assertSharedRoundTrip(
      fc.tuple(amf3Value, fc.dictionary(dynKey, amf3Value, { maxKeys: 3, noNullPrototype: true })),
      ([v, obj]) => [obj, [obj, v], obj],
      (decoded) => [decoded[0], (decoded[1] as AmfValue[])[0], decoded[2]],
      encodeAmf3,
      decodeAmf3,
    );
  });
});

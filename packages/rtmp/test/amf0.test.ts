import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AMF_CLASS_NAME,
  AmfByteArray,
  AmfDictionary,
  AmfEcmaArray,
  AmfLongString,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  RtmpError,
  amfClassName,
  amfToPlain,
  decodeAmf0,
  encodeAmf0,
  type AmfValue,
} from '@rtmp-cluster/rtmp';
import { h } from './support/hex.js';
import { errorCode } from './support/rtmpError.js';
import { assertRoundTrip, assertSharedRoundTrip } from './support/amfRoundTrip.js';

function str(s: string): string {
  const b = Buffer.from(s, 'utf8');
  return b.length.toString(16).padStart(4, '0') + b.toString('hex');
}

/** decode(bytes) gives `value` and re-encoding gives the same bytes. */
function expectCanonical(bytes: Buffer, value: AmfValue): void {
  const decoded = decodeAmf0(bytes);
  expect(decoded).toStrictEqual([value]);
  expect(encodeAmf0(decoded).toString('hex')).toBe(bytes.toString('hex'));
}

describe('AMF0 markers [conf 34]', () => {
  it('[conf 34] 0x00 number is a big-endian double', () => {
    expectCanonical(h`00 3FF8000000000000`, 1.5);
    expectCanonical(h`00 C059000000000000`, -100);
    expect(Object.is(decodeAmf0(h`00 8000000000000000`)[0], -0)).toBe(true);
  });

  it('[conf 34] 0x01 boolean, any non-zero byte is true', () => {
    expectCanonical(h`01 01`, true);
    expectCanonical(h`01 00`, false);
    expect(decodeAmf0(h`01 7f`)).toEqual([true]);
  });

  it('[conf 34] 0x02 string with U16 length, UTF-8', () => {
    expectCanonical(h`02 0007 636f6e6e656374`, 'connect');
    expectCanonical(h`02 0000`, '');
    expectCanonical(h`02 ${str('héllo✓')}`, 'héllo✓');
  });

  it('[conf 34] 0x03 object ends with empty key + 0x09', () => {
    expectCanonical(h`03 0003 617070 02 0004 6c697665  0005 7769647468 00 4094000000000000  0000 09`, { app: 'live', width: 1280 });
    expectCanonical(h`03 000009`, {});
  });

  it('[conf 34] 0x05 null and 0x06 undefined', () => {
    expectCanonical(h`05`, null);
    expectCanonical(h`06`, undefined);
    expectCanonical(h`03 0001 61 06 000009`, { a: undefined });
  });

  it('[conf 34] 0x07 reference points into the table of objects, ECMA arrays, strict arrays and typed objects', () => {
    // strict array = index 0, object = index 1, ECMA array = index 2, typed object = index 3
    const bytes = h`0a 00000006
      03 0001 61 00 3ff0000000000000 000009
      08 00000000 000009
      10 0001 54 000009
      07 0001 07 0002 07 0003`;
    const [arr] = decodeAmf0(bytes) as [AmfValue[]];
    expect(arr).toHaveLength(6);
    expect(arr[3]).toBe(arr[0]);
    expect(arr[4]).toBe(arr[1]);
    expect(arr[5]).toBe(arr[2]);
    expect(arr[2]).toBeInstanceOf(AmfTypedObject);
    // shared instances are written back as references: same bytes
    expect(encodeAmf0([arr]).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('[conf 34] 0x07 reference to the object being decoded builds a cycle that re-encodes exactly', () => {
    const bytes = h`03 0004 73656c66 07 0000 000009`;
    const [obj] = decodeAmf0(bytes) as [Record<string, AmfValue>];
    expect(obj['self']).toBe(obj);
    expect(encodeAmf0([obj]).equals(bytes)).toBe(true);
    expect(amfToPlain(obj)).toEqual({ self: null });
  });

  it('[conf 34] 0x07 reference past the table is AMF_BAD_REFERENCE', () => {
    expect(errorCode(() => decodeAmf0(h`07 0000`))).toBe('AMF_BAD_REFERENCE');
    expect(errorCode(() => decodeAmf0(h`03 000009 07 0001`))).toBe('AMF_BAD_REFERENCE');
  });

  it('[conf 34] 0x08 ECMA array: properties readable like an object, count is only a hint', () => {
    const exact = h`08 00000002 0005 7769647468 00 4094000000000000 0006 686569676874 00 4086800000000000 000009`;
    const [meta] = decodeAmf0(exact) as [AmfEcmaArray];
    expect(meta).toBeInstanceOf(AmfEcmaArray);
    expect(meta.width).toBe(1280);
    expect(meta['height']).toBe(720);
    expect(Object.keys(meta)).toEqual(['width', 'height']);
    expect(JSON.stringify(meta)).toBe('{"width":1280,"height":720}');
    expect(encodeAmf0([meta]).equals(exact)).toBe(true);
    // count 0 (seen from some encoders) and an over-large count decode the same
    const zero = Buffer.from(exact);
    zero.writeUInt32BE(0, 1);
    const huge = Buffer.from(exact);
    huge.writeUInt32BE(0xffffffff, 1);
    expect(decodeAmf0(zero)).toStrictEqual([meta]);
    expect(decodeAmf0(huge)).toStrictEqual([meta]);
  });

  it('[conf 34] 0x08 ECMA array missing its end marker at the end of the message is accepted', () => {
    const [meta] = decodeAmf0(h`08 00000001 0001 77 00 4094000000000000`) as [AmfEcmaArray];
    expect(meta).toStrictEqual(new AmfEcmaArray({ w: 1280 }));
  });

  it('[conf 34] 0x0A strict array with U32 count', () => {
    expectCanonical(h`0a 00000003 00 3ff0000000000000 02 0001 61 05`, [1, 'a', null]);
    expectCanonical(h`0a 00000000`, []);
  });

  it('[conf 34] 0x0B date: double ms + S16 time zone (ignored, written as 0)', () => {
    expectCanonical(h`0b 4276d4fb00a00000 0000`, new Date(1_569_000_000_000));
    expect(decodeAmf0(h`0b 4276d4fb00a00000 ff88`)).toStrictEqual([new Date(1_569_000_000_000)]);
  });

  it('[conf 34] 0x0C long string: U32 length; short ones keep their marker via AmfLongString', () => {
    expectCanonical(h`0c 00000002 6869`, new AmfLongString('hi'));
    const big = 'x'.repeat(70_000);
    const bytes = encodeAmf0([big]);
    expect(bytes[0]).toBe(0x0c);
    expect(bytes.readUInt32BE(1)).toBe(70_000);
    expect(decodeAmf0(bytes)).toEqual([big]);
  });

  it('[conf 34] 0x0F XML document with U32 length', () => {
    expectCanonical(h`0f 00000004 3c612f3e`, new AmfXmlDocument('<a/>'));
  });

  it('[conf 34] 0x10 typed object: class name then properties', () => {
    const bytes = h`10 0003 466f6f 0001 78 00 4000000000000000 000009`;
    const [obj] = decodeAmf0(bytes) as [AmfTypedObject];
    expect(amfClassName(obj)).toBe('Foo');
    expect(obj[AMF_CLASS_NAME]).toBe('Foo');
    expect(obj['x']).toBe(2);
    expect(Object.keys(obj)).toEqual(['x']);
    expectCanonical(bytes, new AmfTypedObject('Foo', { x: 2 }));
    // deep equality sees the class name
    expect(new AmfTypedObject('A', { x: 1 })).not.toStrictEqual(new AmfTypedObject('B', { x: 1 }));
  });

  it('[conf 34] 0x11 AVM+ switches the next value to AMF3', () => {
    expect(decodeAmf0(h`11 04 05  02 0001 61`)).toEqual([5, 'a']);
    // AMF3 anonymous dynamic object {a: 1}
    expect(decodeAmf0(h`11 0a 0b 01 03 61 04 01 01`)).toStrictEqual([{ a: 1 }]);
    // AMF3-only values written by the AMF0 encoder go through the switch
    const values: AmfValue[] = [
      new AmfByteArray(Buffer.from([1, 2, 3])),
      new AmfVector('int', [1, -2]),
      new AmfXml('<x/>'),
      new AmfDictionary([['k', 1]]),
    ];
    const bytes = encodeAmf0(values);
    expect(bytes[0]).toBe(0x11);
    expect(decodeAmf0(bytes)).toStrictEqual(values);
  });
});

describe('AMF0 rejections and bounds [conf 35]', () => {
  it('[conf 35] rejects movieclip marker 0x04', () => {
    expect(errorCode(() => decodeAmf0(h`04`))).toBe('AMF_UNSUPPORTED_MARKER');
  });

  it('[conf 35] rejects unsupported marker 0x0D and recordset 0x0E', () => {
    expect(errorCode(() => decodeAmf0(h`0d`))).toBe('AMF_UNSUPPORTED_MARKER');
    expect(errorCode(() => decodeAmf0(h`0e`))).toBe('AMF_UNSUPPORTED_MARKER');
  });

  it('[conf 35] rejects unknown markers 0x12 and 0xFF, also inside an object', () => {
    expect(errorCode(() => decodeAmf0(h`12`))).toBe('AMF_UNSUPPORTED_MARKER');
    expect(errorCode(() => decodeAmf0(h`ff`))).toBe('AMF_UNSUPPORTED_MARKER');
    expect(errorCode(() => decodeAmf0(h`03 0001 61 0d 000009`))).toBe('AMF_UNSUPPORTED_MARKER');
  });

  it('[conf 35] a bare object-end marker 0x09 as a value is rejected', () => {
    expect(errorCode(() => decodeAmf0(h`09`))).toBe('AMF_UNSUPPORTED_MARKER');
  });

  it('[conf 35] truncated values are AMF_TRUNCATED', () => {
    for (const bytes of [h`00 3ff0`, h`01`, h`02 0005 6162`, h`03 0001 61`, h`03 0001 61 00 3ff0000000000000`, h`0b 4276d4fb00a00000`, h`0c 0000ffff 61`, h`10 0003 46`, h`0a 00000002 05`]) {
      expect(errorCode(() => decodeAmf0(bytes)), bytes.toString('hex')).toBe('AMF_TRUNCATED');
    }
  });

  it('[conf 35] declared lengths are checked against the bytes left before allocating', () => {
    // a 4 GB long string, a 4 billion element strict array, in a few bytes
    expect(errorCode(() => decodeAmf0(h`0c ffffffff 61`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf0(h`0f ffffffff`))).toBe('AMF_TRUNCATED');
    expect(errorCode(() => decodeAmf0(h`0a ffffffff 05`))).toBe('AMF_COUNT_EXCEEDED');
    expect(errorCode(() => decodeAmf0(h`0a 0000ffff 05`, { maxAmfItems: 1_000_000 }))).toBe('AMF_TRUNCATED');
  });

  it('[conf 35] nesting deeper than maxAmfDepth is AMF_DEPTH_EXCEEDED', () => {
    const nested = (depth: number): Buffer => Buffer.concat([...Array.from({ length: depth }, () => h`0a 00000001`), h`05`]);
    expect(decodeAmf0(nested(32))).toHaveLength(1);
    expect(errorCode(() => decodeAmf0(nested(33)))).toBe('AMF_DEPTH_EXCEEDED');
    expect(errorCode(() => decodeAmf0(nested(5), { maxAmfDepth: 4 }))).toBe('AMF_DEPTH_EXCEEDED');
    // objects count too, and very deep input fails fast instead of overflowing the stack
    const objects = Buffer.concat([...Array.from({ length: 100_000 }, () => h`03 0001 61`), h`05`]);
    expect(errorCode(() => decodeAmf0(objects))).toBe('AMF_DEPTH_EXCEEDED');
  });

  it('[conf 35] more values than maxAmfItems is AMF_COUNT_EXCEEDED', () => {
    const many = Buffer.alloc(101, 0x05);
    expect(decodeAmf0(many, { maxAmfItems: 101 })).toHaveLength(101);
    expect(errorCode(() => decodeAmf0(many, { maxAmfItems: 100 }))).toBe('AMF_COUNT_EXCEEDED');
    const props = encodeAmf0([Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))]);
    expect(errorCode(() => decodeAmf0(props, { maxAmfItems: 40 }))).toBe('AMF_COUNT_EXCEEDED');
  });

  it('a key named __proto__ becomes an own property and pollutes nothing', () => {
    const [obj] = decodeAmf0(h`03 0009 5f5f70726f746f5f5f 03 0005 61646d696e 01 01 000009 000009`) as [Record<string, AmfValue>];
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
    expect((obj as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('encoder refuses values AMF cannot carry', () => {
    expect(errorCode(() => encodeAmf0([(() => 1) as unknown as AmfValue]))).toBe('AMF_ENCODE_UNSUPPORTED');
    expect(errorCode(() => encodeAmf0([10n as unknown as AmfValue]))).toBe('AMF_ENCODE_UNSUPPORTED');
    expect(errorCode(() => encodeAmf0([new Map() as unknown as AmfValue]))).toBe('AMF_ENCODE_UNSUPPORTED');
    expect(errorCode(() => encodeAmf0([{ ['k'.repeat(70_000)]: 1 }]))).toBe('AMF_ENCODE_UNSUPPORTED');
  });
});

describe('amfToPlain', () => {
  it('turns wrappers into JSON-able values', () => {
    const value: AmfValue = {
      meta: new AmfEcmaArray({ width: 1280, codec: new AmfLongString('avc1') }),
      typed: new AmfTypedObject('Foo', { x: 1 }),
      when: new Date(0),
      xml: new AmfXmlDocument('<a/>'),
      bytes: new AmfByteArray(Buffer.from('hi')),
      list: [undefined, Number.NaN, 2],
      vec: new AmfVector('double', [1.5]),
      dict: new AmfDictionary([[1, 'one']]),
    };
    expect(amfToPlain(value)).toEqual({
      meta: { width: 1280, codec: 'avc1' },
      typed: { x: 1 },
      when: '1970-01-01T00:00:00.000Z',
      xml: '<a/>',
      bytes: 'aGk=',
      list: [null, null, 2],
      vec: [1.5],
      dict: [{ key: 1, value: 'one' }],
    });
  });

  it('bounds the expansion of shared references (reference bomb)', () => {
    // 30 nested strict arrays, each holding the previous one twice: 2^30 nodes when expanded
    const parts: Buffer[] = [h`0a 00000002 05 05`];
    for (let i = 1; i < 30; i++) parts.push(h`0a 00000002 07 ${(i - 1).toString(16).padStart(4, '0')} 07 ${(i - 1).toString(16).padStart(4, '0')}`);
    const values = decodeAmf0(Buffer.concat(parts));
    const top = values[29]!;
    const started = performance.now();
    const plain = amfToPlain(top, { maxNodes: 10_000 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(JSON.stringify(plain).length).toBeLessThan(200_000);
    // and the encoder writes the shared instances as references: linear size
    expect(encodeAmf0(values).length).toBeLessThan(400);
  });
});

const key = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('width', 'height', '__proto__', '0', ''));

/** Arbitrary AMF0 values, including AMF3-only values that travel through the AVM+ switch. */
const amf0Value = fc.letrec<{ value: AmfValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.string({ unit: 'grapheme' }),
    fc.constant(null),
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.string({ unit: 'grapheme' }).map((s) => new AmfLongString(s)),
    fc.string({ unit: 'grapheme' }).map((s) => new AmfXmlDocument(s)),
    fc.uint8Array({ maxLength: 16 }).map((b) => new AmfByteArray(Buffer.from(b))),
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 }).map((a) => new AmfVector('int', a)),
    fc.string({ unit: 'grapheme' }).map((s) => new AmfXml(s)),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }).map((o) => new AmfEcmaArray(o)),
    fc
      .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }))
      .map(([name, o]) => new AmfTypedObject(name, o)),
  ),
})).value;

describe('AMF0 round trip (property)', () => {
  it('[conf 34] decode(encode(v)) deep-equals v and encode(decode(bytes)) reproduces the bytes', () => {
    assertRoundTrip(amf0Value, encodeAmf0, decodeAmf0);
  });

  it('[conf 34] shared instances round-trip as references', () => {
    type Holder = { first: AmfValue; again: AmfValue; list: AmfValue[] };
    assertSharedRoundTrip(
      fc.dictionary(key, amf0Value, { maxKeys: 4, noNullPrototype: true }),
      (obj) => [{ first: obj, again: obj, list: [obj] }],
      ([holder]) => {
        const h = holder as Holder;
        return [h.first, h.again, h.list[0]];
      },
      encodeAmf0,
      decodeAmf0,
    );
  });
});

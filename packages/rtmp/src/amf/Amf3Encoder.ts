import { RtmpError } from '../errors.js';
import { Amf3Marker } from './Amf3Decoder.js';
import {
  AMF3_DENSE_LENGTH,
  AMF3_TRAITS,
  AMF_CLASS_NAME,
  AmfByteArray,
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfLongString,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  isPlainObject,
  type Amf3Traits,
  type AmfValue,
} from './AmfValue.js';
import { ByteWriter } from './ByteWriter.js';
import { AmfValueWriter } from './AmfValueWriter.js';

const U29_MAX = 0x1fffffff;
const INT29_MIN = -0x10000000;
const INT29_MAX = 0x0fffffff;
/**
 * One AMF3 encoding context. Canonical output: every repeated non-empty
 * string, repeated object instance and repeated traits layout is written as a
 * reference, which is what the decoder's tables expect back.
 */
export class Amf3Encoder extends AmfValueWriter {
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private objectCount = 0;
  private readonly traits = new Map<string, number>();

  constructor(w: ByteWriter) {
    super(w, 'AMF3', { undefined: Amf3Marker.Undefined, null: Amf3Marker.Null });
  }

  writeU29(v: number): void {
    const w = this.w;
    if (v < 0 || v > U29_MAX) throw new RtmpError('AMF_ENCODE_UNSUPPORTED', `value ${v} does not fit an AMF3 U29`);
    if (v < 0x80) {
      w.u8(v);
    } else if (v < 0x4000) {
      w.u8((v >>> 7) | 0x80);
      w.u8(v & 0x7f);
    } else if (v < 0x200000) {
      w.u8((v >>> 14) | 0x80);
      w.u8(((v >>> 7) & 0x7f) | 0x80);
      w.u8(v & 0x7f);
    } else {
      w.u8((v >>> 22) | 0x80);
      w.u8(((v >>> 15) & 0x7f) | 0x80);
      w.u8(((v >>> 8) & 0x7f) | 0x80);
      w.u8(v & 0xff);
    }
  }

  private writeString(s: string): void {
    if (s === '') {
      this.w.u8(0x01);
      return;
    }
    const ref = this.strings.get(s);
    if (ref !== undefined) {
      this.writeU29(ref << 1);
      return;
    }
    const bytes = Buffer.from(s, 'utf8');
    this.writeU29((bytes.length << 1) | 1);
    this.w.bytes(bytes);
    this.strings.set(s, this.strings.size);
  }

  /** Writes a reference and returns true if `obj` was already written; otherwise registers it. */
  private writeObjectRef(obj: object): boolean {
    const ref = this.objects.get(obj);
    if (ref !== undefined) {
      this.writeU29(ref << 1);
      return true;
    }
    this.objects.set(obj, this.objectCount++);
    return false;
  }

  protected writeNumber(v: number): void {
    if (Number.isInteger(v) && v >= INT29_MIN && v <= INT29_MAX && !Object.is(v, -0)) {
      this.w.u8(Amf3Marker.Integer);
      this.writeU29(v & U29_MAX);
    } else {
      this.w.u8(Amf3Marker.Double);
      this.w.double(v);
    }
  }

  protected writeBoolean(v: boolean): void {
    this.w.u8(v ? Amf3Marker.True : Amf3Marker.False);
  }

  protected writeStringValue(v: string): void {
    this.w.u8(Amf3Marker.String);
    this.writeString(v);
  }

  protected writeComplex(v: object): void {
    const w = this.w;
    if (v instanceof AmfLongString) {
      // AMF3 strings have no short/long distinction
      this.writeStringValue(v.value);
    } else if (v instanceof Date) {
      w.u8(Amf3Marker.Date);
      if (this.writeObjectRef(v)) return;
      w.u8(0x01);
      w.double(v.getTime());
    } else if (Array.isArray(v)) {
      w.u8(Amf3Marker.Array);
      if (this.writeObjectRef(v)) return;
      this.writeU29((v.length << 1) | 1);
      w.u8(0x01); // no associative part
      for (let i = 0; i < v.length; i++) this.writeValue(v[i] as AmfValue);
    } else if (v instanceof AmfEcmaArray) {
      this.writeEcmaArray(v);
    } else if (v instanceof AmfXmlDocument || v instanceof AmfXml) {
      w.u8(v instanceof AmfXml ? Amf3Marker.Xml : Amf3Marker.XmlDocument);
      if (this.writeObjectRef(v)) return;
      const bytes = Buffer.from(v.xml, 'utf8');
      this.writeU29((bytes.length << 1) | 1);
      w.bytes(bytes);
    } else if (v instanceof AmfByteArray) {
      w.u8(Amf3Marker.ByteArray);
      if (this.writeObjectRef(v)) return;
      this.writeU29((v.bytes.length << 1) | 1);
      w.bytes(v.bytes);
    } else if (v instanceof AmfVector) {
      this.writeVector(v);
    } else if (v instanceof AmfDictionary) {
      w.u8(Amf3Marker.Dictionary);
      if (this.writeObjectRef(v)) return;
      this.writeU29((v.entries.length << 1) | 1);
      w.u8(v.weakKeys ? 1 : 0);
      for (const [k, val] of v.entries) {
        this.writeValue(k);
        this.writeValue(val);
      }
    } else if (v instanceof AmfExternalizable) {
      w.u8(Amf3Marker.Object);
      if (this.writeObjectRef(v)) return;
      this.writeTraits({ sealed: [], dynamic: false }, v.className, true);
      this.writeValue(v.value);
    } else if (v instanceof AmfTypedObject) {
      this.writeObject(v, v[AMF_CLASS_NAME], (v as unknown as { [AMF3_TRAITS]?: Amf3Traits })[AMF3_TRAITS]);
    } else if (isPlainObject(v)) {
      this.writeObject(v as Record<string, AmfValue>, '', { sealed: [], dynamic: true });
    } else {
      this.unsupportedInstance(v);
    }
  }

  private writeEcmaArray(v: AmfEcmaArray): void {
    const w = this.w;
    w.u8(Amf3Marker.Array);
    if (this.writeObjectRef(v)) return;
    const keys = Object.keys(v);
    let dense = (v as unknown as { [AMF3_DENSE_LENGTH]?: number })[AMF3_DENSE_LENGTH] ?? 0;
    for (let i = 0; i < dense; i++) {
      if (!Object.prototype.hasOwnProperty.call(v, String(i))) {
        dense = 0;
        break;
      }
    }
    this.writeU29((dense << 1) | 1);
    for (const key of keys) {
      if (dense > 0 && isIndexBelow(key, dense)) continue;
      if (key === '') throw new RtmpError('AMF_ENCODE_UNSUPPORTED', 'AMF3 associative array keys cannot be empty');
      this.writeString(key);
      this.writeValue(v[key]);
    }
    w.u8(0x01);
    for (let i = 0; i < dense; i++) this.writeValue(v[String(i)]);
  }

  private writeTraits(traits: Amf3Traits, className: string, externalizable: boolean): void {
    const key = JSON.stringify([className, externalizable, traits.dynamic, traits.sealed]);
    const ref = this.traits.get(key);
    if (ref !== undefined) {
      this.writeU29((ref << 2) | 0b01);
      return;
    }
    this.traits.set(key, this.traits.size);
    this.writeU29((traits.sealed.length << 4) | (traits.dynamic ? 0b1000 : 0) | (externalizable ? 0b0100 : 0) | 0b011);
    this.writeString(className);
    for (const name of traits.sealed) this.writeString(name);
  }

  private writeObject(obj: Record<string, AmfValue>, className: string, layout: Amf3Traits | undefined): void {
    this.w.u8(Amf3Marker.Object);
    if (this.writeObjectRef(obj)) return;
    const keys = Object.keys(obj);
    let traits: Amf3Traits;
    if (layout === undefined) {
      traits = { sealed: keys, dynamic: false };
    } else {
      const sealedSet = new Set(layout.sealed);
      // Members added after decoding must not be lost: they travel as dynamic members.
      const extra = keys.some((k) => !sealedSet.has(k));
      traits = extra && !layout.dynamic ? { sealed: layout.sealed, dynamic: true } : layout;
    }
    this.writeTraits(traits, className, false);
    for (const name of traits.sealed) this.writeValue(obj[name]);
    if (traits.dynamic) {
      const sealedSet = new Set(traits.sealed);
      for (const key of keys) {
        if (sealedSet.has(key)) continue;
        if (key === '') throw new RtmpError('AMF_ENCODE_UNSUPPORTED', 'AMF3 dynamic member names cannot be empty');
        this.writeString(key);
        this.writeValue(obj[key]);
      }
      this.w.u8(0x01);
    }
  }

  private writeVector(v: AmfVector): void {
    const w = this.w;
    const marker =
      v.kind === 'int' ? Amf3Marker.VectorInt : v.kind === 'uint' ? Amf3Marker.VectorUint : v.kind === 'double' ? Amf3Marker.VectorDouble : Amf3Marker.VectorObject;
    w.u8(marker);
    if (this.writeObjectRef(v)) return;
    this.writeU29((v.items.length << 1) | 1);
    w.u8(v.fixed ? 1 : 0);
    if (v.kind === 'object') this.writeString(v.typeName);
    for (const item of v.items) {
      if (v.kind === 'object') {
        this.writeValue(item);
        continue;
      }
      if (typeof item !== 'number') throw new RtmpError('AMF_ENCODE_UNSUPPORTED', `Vector.<${v.kind}> element is not a number`);
      if (v.kind === 'int') w.s32(item);
      else if (v.kind === 'uint') w.u32(item);
      else w.double(item);
    }
  }
}

function isIndexBelow(key: string, n: number): boolean {
  const i = Number(key);
  return Number.isInteger(i) && i >= 0 && i < n && String(i) === key;
}

/** Encodes values as one AMF3 message body (shared reference tables). */
export function encodeAmf3(values: AmfValue[]): Buffer {
  const w = new ByteWriter();
  const enc = new Amf3Encoder(w);
  for (const v of values) enc.writeValue(v);
  return w.toBuffer();
}

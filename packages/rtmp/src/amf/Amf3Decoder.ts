import { RtmpError } from '../errors.js';
import type { ProtocolLimits } from '../message.js';
import { AmfReader, resolveLimits } from './AmfReader.js';
import {
  AMF3_DENSE_LENGTH,
  AmfByteArray,
  AmfDictionary,
  AmfEcmaArray,
  AmfExternalizable,
  AmfTypedObject,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  KNOWN_EXTERNALIZABLE_CLASSES,
  setAmfProperty,
  type Amf3Traits,
  type AmfValue,
  type AmfVectorKind,
} from './AmfValue.js';

/** AMF3 type markers (AMF3 spec 3.1). */
export const Amf3Marker = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  Integer: 0x04,
  Double: 0x05,
  String: 0x06,
  XmlDocument: 0x07,
  Date: 0x08,
  Array: 0x09,
  Object: 0x0a,
  Xml: 0x0b,
  ByteArray: 0x0c,
  VectorInt: 0x0d,
  VectorUint: 0x0e,
  VectorDouble: 0x0f,
  VectorObject: 0x10,
  Dictionary: 0x11,
} as const;

interface TraitsEntry extends Amf3Traits {
  className: string;
  externalizable: boolean;
}

/**
 * One AMF3 decoding context: the three reference tables live as long as the
 * context (a whole AMF3 message, or one AVM+-switched value inside AMF0).
 */
export class Amf3Decoder {
  private readonly strings: string[] = [];
  private readonly objects: AmfValue[] = [];
  private readonly traits: TraitsEntry[] = [];

  constructor(private readonly r: AmfReader) {}

  /** U29: 1-4 bytes, 7 bits per byte with a continuation bit, the 4th byte contributes 8 bits. */
  readU29(): number {
    const r = this.r;
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = r.u8();
      value = (value << 7) | (b & 0x7f);
      if ((b & 0x80) === 0) return value;
    }
    return ((value << 8) | r.u8()) >>> 0;
  }

  private readString(): string {
    const header = this.readU29();
    if ((header & 1) === 0) return this.stringRef(header >>> 1);
    const len = header >>> 1;
    if (len === 0) return '';
    const s = this.r.utf8(len);
    this.strings.push(s);
    return s;
  }

  private stringRef(index: number): string {
    const s = this.strings[index];
    if (s === undefined) throw new RtmpError('AMF_BAD_REFERENCE', `AMF3 string reference ${index} of ${this.strings.length}`);
    return s;
  }

  private objectRef(index: number): AmfValue {
    if (index >= this.objects.length) {
      throw new RtmpError('AMF_BAD_REFERENCE', `AMF3 object reference ${index} of ${this.objects.length}`);
    }
    return this.objects[index];
  }

  readValue(): AmfValue {
    const r = this.r;
    const marker = r.valueMarker();
    if (marker >= Amf3Marker.XmlDocument && marker <= Amf3Marker.Dictionary) {
      // Every marker from XmlDocument on starts with a U29O-ref: low bit 0 names an earlier object.
      const header = this.readU29();
      if ((header & 1) === 0) return this.objectRef(header >>> 1);
      return this.readInlineObject(marker, header >>> 1);
    }
    switch (marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer: {
        const u = this.readU29();
        // sign-extend the 29-bit value
        return u & 0x10000000 ? u - 0x20000000 : u;
      }
      case Amf3Marker.Double:
        return r.double();
      case Amf3Marker.String:
        return this.readString();
      default:
        throw new RtmpError('AMF_UNSUPPORTED_MARKER', `unknown AMF3 marker 0x${marker.toString(16)}`);
    }
  }

  /** An object written in full; `info` is its U29O-ref header without the inline bit. */
  private readInlineObject(marker: number, info: number): AmfValue {
    let v: AmfValue;
    switch (marker) {
      case Amf3Marker.XmlDocument:
      case Amf3Marker.Xml: {
        const text = this.r.utf8(info);
        v = marker === Amf3Marker.Xml ? new AmfXml(text) : new AmfXmlDocument(text);
        break;
      }
      case Amf3Marker.Date:
        v = new Date(this.r.double());
        break;
      case Amf3Marker.ByteArray:
        v = new AmfByteArray(this.r.bytes(info));
        break;
      case Amf3Marker.Array:
        return this.readArray(info);
      case Amf3Marker.Object:
        return this.readObject(info);
      case Amf3Marker.Dictionary:
        return this.readDictionary(info);
      default:
        return this.readVector(marker, info);
    }
    this.objects.push(v);
    return v;
  }

  private readArray(denseCount: number): AmfValue {
    const r = this.r;
    r.checkDeclaredCount(denseCount, 1);
    r.enter();
    // The container must exist before any child is read (children may refer back to it),
    // and whether it is a plain array depends on the first associative key.
    let key = this.readString();
    let result: AmfValue[] | AmfEcmaArray;
    if (key === '') {
      result = [];
      this.objects.push(result);
    } else {
      const ecma = new AmfEcmaArray();
      this.objects.push(ecma);
      result = ecma;
      let pairs = 0;
      while (key !== '') {
        if (++pairs > r.limits.maxAmfItems) throw new RtmpError('AMF_COUNT_EXCEEDED', 'too many AMF3 associative entries');
        setAmfProperty(ecma, key, this.readValue());
        key = this.readString();
      }
    }
    if (Array.isArray(result)) {
      for (let i = 0; i < denseCount; i++) result.push(this.readValue());
    } else {
      for (let i = 0; i < denseCount; i++) setAmfProperty(result, String(i), this.readValue());
      if (denseCount > 0) Object.defineProperty(result, AMF3_DENSE_LENGTH, { value: denseCount, enumerable: false });
    }
    r.leave();
    return result;
  }

  /** `info`: bit 0 inline traits (else a traits reference), bit 1 externalizable, bit 2 dynamic, then the sealed count. */
  private readObject(info: number): AmfValue {
    const r = this.r;
    let traits: TraitsEntry;
    if ((info & 1) === 0) {
      const index = info >>> 1;
      const t = this.traits[index];
      if (t === undefined) throw new RtmpError('AMF_BAD_REFERENCE', `AMF3 traits reference ${index} of ${this.traits.length}`);
      traits = t;
    } else {
      const externalizable = (info & 2) !== 0;
      const dynamic = (info & 4) !== 0;
      const sealedCount = info >>> 3;
      const className = this.readString();
      r.checkDeclaredCount(sealedCount, 1);
      const sealed: string[] = [];
      for (let i = 0; i < sealedCount; i++) sealed.push(this.readString());
      traits = { className, sealed, dynamic, externalizable };
      this.traits.push(traits);
    }
    r.enter();
    if (traits.externalizable) {
      if (!KNOWN_EXTERNALIZABLE_CLASSES.has(traits.className)) {
        throw new RtmpError('AMF_UNSUPPORTED_TYPE', `AMF3 externalizable class "${traits.className}" has an unknown layout`);
      }
      // Register first so a self-reference resolves; the value is filled in place below.
      const slot = this.objects.length;
      this.objects.push(null);
      const ext = new AmfExternalizable(traits.className, this.readValue());
      this.objects[slot] = ext;
      r.leave();
      return ext;
    }
    const anonymous = traits.className === '' && traits.sealed.length === 0 && traits.dynamic;
    const obj: Record<string, AmfValue> = anonymous
      ? {}
      : new AmfTypedObject(traits.className, undefined, { sealed: traits.sealed, dynamic: traits.dynamic });
    this.objects.push(obj);
    for (const name of traits.sealed) setAmfProperty(obj, name, this.readValue());
    if (traits.dynamic) {
      let pairs = 0;
      for (let key = this.readString(); key !== ''; key = this.readString()) {
        if (++pairs > r.limits.maxAmfItems) throw new RtmpError('AMF_COUNT_EXCEEDED', 'too many AMF3 dynamic members');
        setAmfProperty(obj, key, this.readValue());
      }
    }
    r.leave();
    return obj;
  }

  private readVector(marker: number, count: number): AmfValue {
    const r = this.r;
    const kind: AmfVectorKind =
      marker === Amf3Marker.VectorInt ? 'int' : marker === Amf3Marker.VectorUint ? 'uint' : marker === Amf3Marker.VectorDouble ? 'double' : 'object';
    const fixed = r.u8() !== 0;
    const typeName = kind === 'object' ? this.readString() : '';
    r.checkDeclaredCount(count, kind === 'double' ? 8 : kind === 'object' ? 1 : 4);
    r.enter();
    const items: AmfValue[] = [];
    const vector = new AmfVector(kind, items, fixed, typeName);
    this.objects.push(vector);
    for (let i = 0; i < count; i++) {
      if (kind === 'int') items.push(r.s32());
      else if (kind === 'uint') items.push(r.u32());
      else if (kind === 'double') items.push(r.double());
      else items.push(this.readValue());
    }
    if (kind !== 'object') {
      r.items += count;
      if (r.items > r.limits.maxAmfItems) throw new RtmpError('AMF_COUNT_EXCEEDED', 'too many AMF3 vector elements');
    }
    r.leave();
    return vector;
  }

  private readDictionary(count: number): AmfValue {
    const r = this.r;
    const weakKeys = r.u8() !== 0;
    r.checkDeclaredCount(count, 2);
    r.enter();
    const entries: Array<[AmfValue, AmfValue]> = [];
    const dict = new AmfDictionary(entries, weakKeys);
    this.objects.push(dict);
    for (let i = 0; i < count; i++) {
      const k = this.readValue();
      entries.push([k, this.readValue()]);
    }
    r.leave();
    return dict;
  }
}

/** Decodes every AMF3 value in `buf` (one set of reference tables for the whole buffer). Throws RtmpError only. */
export function decodeAmf3(buf: Buffer, limits?: Partial<ProtocolLimits>): AmfValue[] {
  const r = new AmfReader(buf, resolveLimits(limits));
  return r.readAll(new Amf3Decoder(r));
}

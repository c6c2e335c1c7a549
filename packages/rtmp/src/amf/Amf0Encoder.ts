import { RtmpError } from '../errors.js';
import { Amf0Marker } from './Amf0Decoder.js';
import { Amf3Encoder } from './Amf3Encoder.js';
import {
  AMF_CLASS_NAME,
  AmfEcmaArray,
  AmfLongString,
  AmfTypedObject,
  AmfXmlDocument,
  isAmf3Only,
  isPlainObject,
  type AmfValue,
} from './AmfValue.js';
import { ByteWriter } from './ByteWriter.js';
import { AmfValueWriter } from './AmfValueWriter.js';

export interface Amf0EncodeOptions {
  /**
   * Write every top-level object/array value after an AVM+ switch (0x11) as
   * AMF3: what a peer that negotiated objectEncoding 3 expects in type 17/15.
   */
  avmPlus?: boolean;
}

/**
 * AMF0 encoder for one message body. A repeated object instance is written
 * as a reference (0x07): that is how cycles survive and how decoded bodies
 * that used references re-encode to the same bytes.
 */
export class Amf0Encoder extends AmfValueWriter {
  private readonly refs = new Map<object, number>();

  constructor(w: ByteWriter) {
    super(w, 'AMF0', { undefined: Amf0Marker.Undefined, null: Amf0Marker.Null });
  }

  private writeShortUtf8(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > 0xffff) throw new RtmpError('AMF_ENCODE_UNSUPPORTED', 'AMF0 property or class name longer than 65535 bytes');
    this.w.u16(bytes.length);
    this.w.bytes(bytes);
  }

  private writeAvmPlus(v: AmfValue): void {
    this.w.u8(Amf0Marker.AvmPlus);
    new Amf3Encoder(this.w).writeValue(v);
  }

  writeTopLevel(v: AmfValue, opts: Amf0EncodeOptions): void {
    if (opts.avmPlus && typeof v === 'object' && v !== null && !(v instanceof AmfLongString)) {
      // A few values AMF3 cannot carry (an empty member name) stay AMF0, which the peer reads just as well.
      const amf3 = new ByteWriter();
      try {
        new Amf3Encoder(amf3).writeValue(v);
      } catch (err) {
        if (err instanceof RtmpError && err.code === 'AMF_ENCODE_UNSUPPORTED' && !isAmf3Only(v)) {
          this.writeValue(v);
          return;
        }
        throw err;
      }
      this.w.u8(Amf0Marker.AvmPlus);
      this.w.bytes(amf3.toBuffer());
    } else {
      this.writeValue(v);
    }
  }

  protected writeNumber(v: number): void {
    this.w.u8(Amf0Marker.Number);
    this.w.double(v);
  }

  protected writeBoolean(v: boolean): void {
    this.w.u8(Amf0Marker.Boolean);
    this.w.u8(v ? 1 : 0);
  }

  protected writeStringValue(v: string): void {
    const w = this.w;
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > 0xffff) {
      w.u8(Amf0Marker.LongString);
      w.u32(bytes.length);
    } else {
      w.u8(Amf0Marker.String);
      w.u16(bytes.length);
    }
    w.bytes(bytes);
  }

  /** Writes a reference and returns true if `obj` was written before; otherwise registers it. */
  private writeRef(obj: object): boolean {
    const ref = this.refs.get(obj);
    if (ref !== undefined) {
      this.w.u8(Amf0Marker.Reference);
      this.w.u16(ref);
      return true;
    }
    // the table index is 16 bits wide: past that, objects are simply written again
    if (this.refs.size <= 0xffff) this.refs.set(obj, this.refs.size);
    return false;
  }

  protected writeComplex(v: object): void {
    const w = this.w;
    if (v instanceof Date) {
      w.u8(Amf0Marker.Date);
      w.double(v.getTime());
      w.s16(0);
    } else if (v instanceof AmfLongString) {
      const bytes = Buffer.from(v.value, 'utf8');
      w.u8(Amf0Marker.LongString);
      w.u32(bytes.length);
      w.bytes(bytes);
    } else if (v instanceof AmfXmlDocument) {
      const bytes = Buffer.from(v.xml, 'utf8');
      w.u8(Amf0Marker.XmlDocument);
      w.u32(bytes.length);
      w.bytes(bytes);
    } else if (isAmf3Only(v)) {
      this.writeAvmPlus(v as AmfValue);
    } else if (Array.isArray(v)) {
      if (this.writeRef(v)) return;
      w.u8(Amf0Marker.StrictArray);
      w.u32(v.length);
      for (let i = 0; i < v.length; i++) this.writeValue(v[i] as AmfValue);
    } else if (v instanceof AmfEcmaArray) {
      if (this.writeRef(v)) return;
      const keys = Object.keys(v);
      w.u8(Amf0Marker.EcmaArray);
      w.u32(keys.length);
      this.writeProperties(v, keys);
    } else if (v instanceof AmfTypedObject) {
      if (this.writeRef(v)) return;
      const className = v[AMF_CLASS_NAME];
      if (className === '') {
        w.u8(Amf0Marker.Object);
      } else {
        w.u8(Amf0Marker.TypedObject);
        this.writeShortUtf8(className);
      }
      this.writeProperties(v, Object.keys(v));
    } else if (isPlainObject(v)) {
      if (this.writeRef(v)) return;
      w.u8(Amf0Marker.Object);
      this.writeProperties(v as Record<string, AmfValue>, Object.keys(v));
    } else {
      this.unsupportedInstance(v);
    }
  }

  private writeProperties(obj: Record<string, AmfValue>, keys: string[]): void {
    for (const key of keys) {
      this.writeShortUtf8(key);
      this.writeValue(obj[key]);
    }
    this.w.u16(0);
    this.w.u8(Amf0Marker.ObjectEnd);
  }
}

/** Encodes values as one AMF0 message body. */
export function encodeAmf0(values: AmfValue[], options: Amf0EncodeOptions = {}): Buffer {
  const w = new ByteWriter();
  const enc = new Amf0Encoder(w);
  for (const v of values) enc.writeTopLevel(v, options);
  return w.toBuffer();
}

/** Same as encodeAmf0 but writes `prefix` bytes first (the 0x00 format byte of types 17/15) without an extra copy. */
export function encodeAmf0WithPrefix(prefix: number[], values: AmfValue[], options: Amf0EncodeOptions = {}): Buffer {
  const w = new ByteWriter();
  for (const b of prefix) w.u8(b);
  const enc = new Amf0Encoder(w);
  for (const v of values) enc.writeTopLevel(v, options);
  return w.toBuffer();
}

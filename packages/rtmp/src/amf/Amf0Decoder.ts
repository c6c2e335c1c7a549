import { RtmpError } from '../errors.js';
import type { ProtocolLimits } from '../message.js';
import { Amf3Decoder } from './Amf3Decoder.js';
import { AmfReader, resolveLimits } from './AmfReader.js';
import {
  AmfEcmaArray,
  AmfLongString,
  AmfTypedObject,
  AmfXmlDocument,
  setAmfProperty,
  type AmfValue,
} from './AmfValue.js';

/** AMF0 type markers (AMF0 spec 2.1). */
export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  AvmPlus: 0x11,
} as const;

/**
 * Decodes AMF0 values from one message body. The reference table (0x07)
 * spans the whole body; each AVM+ switch (0x11) starts a fresh AMF3 context.
 */
export class Amf0Decoder {
  private readonly refs: AmfValue[] = [];

  constructor(private readonly r: AmfReader) {}

  readValue(): AmfValue {
    const r = this.r;
    const marker = r.valueMarker();
    switch (marker) {
      case Amf0Marker.Number:
        return r.double();
      case Amf0Marker.Boolean:
        return r.u8() !== 0;
      case Amf0Marker.String:
        return r.utf8(r.u16());
      case Amf0Marker.Object: {
        const obj: Record<string, AmfValue> = {};
        return this.readProperties(obj, false);
      }
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
        return undefined;
      case Amf0Marker.Reference: {
        const index = r.u16();
        if (index >= this.refs.length) {
          throw new RtmpError('AMF_BAD_REFERENCE', `AMF0 reference ${index} of ${this.refs.length}`);
        }
        return this.refs[index];
      }
      case Amf0Marker.EcmaArray: {
        r.u32(); // the count is only a hint: encoders write 0 or stale values, the end marker is what counts
        return this.readProperties(new AmfEcmaArray(), true);
      }
      case Amf0Marker.StrictArray: {
        const count = r.u32();
        r.checkDeclaredCount(count, 1);
        r.enter();
        const arr: AmfValue[] = [];
        this.refs.push(arr);
        for (let i = 0; i < count; i++) arr.push(this.readValue());
        r.leave();
        return arr;
      }
      case Amf0Marker.Date: {
        const ms = r.double();
        r.s16(); // time zone: the spec says senders should write 0 and readers ignore it
        return new Date(ms);
      }
      case Amf0Marker.LongString: {
        const len = r.u32();
        const s = r.utf8(len);
        // keep the marker choice visible when it was not forced by the length, so re-encoding gives the same bytes
        return Buffer.byteLength(s, 'utf8') <= 0xffff ? new AmfLongString(s) : s;
      }
      case Amf0Marker.XmlDocument:
        return new AmfXmlDocument(r.utf8(r.u32()));
      case Amf0Marker.TypedObject: {
        const className = r.utf8(r.u16());
        return this.readProperties(new AmfTypedObject(className), false);
      }
      case Amf0Marker.AvmPlus:
        return new Amf3Decoder(r).readValue();
      case Amf0Marker.MovieClip:
      case Amf0Marker.Unsupported:
      case Amf0Marker.RecordSet:
        throw new RtmpError('AMF_UNSUPPORTED_MARKER', `AMF0 marker 0x${marker.toString(16).padStart(2, '0')} is not supported`);
      default:
        throw new RtmpError('AMF_UNSUPPORTED_MARKER', `unknown AMF0 marker 0x${marker.toString(16).padStart(2, '0')}`);
    }
  }

  /** Reads key/value pairs up to the empty key + 0x09 end marker. */
  private readProperties<T extends object>(target: T, isEcma: boolean): T {
    const r = this.r;
    r.enter();
    this.refs.push(target as AmfValue);
    for (;;) {
      // Some encoders end an ECMA array at the end of the message without the end marker.
      if (isEcma && r.remaining === 0) break;
      const key = r.utf8(r.u16());
      if (key === '') {
        r.need(1);
        if (r.buf[r.pos] === Amf0Marker.ObjectEnd) {
          r.pos++;
          break;
        }
      }
      setAmfProperty(target, key, this.readValue());
    }
    r.leave();
    return target;
  }
}

/** Decodes every AMF0 value in `buf`. Throws RtmpError only. */
export function decodeAmf0(buf: Buffer, limits?: Partial<ProtocolLimits>): AmfValue[] {
  return decodeAmf0From(buf, 0, limits);
}

/** Decodes every AMF0 value in `buf` from byte `start` on (commands of type 17/15 skip their format byte). */
export function decodeAmf0From(buf: Buffer, start: number, limits?: Partial<ProtocolLimits>): AmfValue[] {
  const r = new AmfReader(buf, resolveLimits(limits), start);
  return r.readAll(new Amf0Decoder(r));
}

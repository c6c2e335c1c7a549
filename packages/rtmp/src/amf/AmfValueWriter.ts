import { RtmpError } from '../errors.js';
import type { AmfValue } from './AmfValue.js';
import type { ByteWriter } from './ByteWriter.js';

/** Guards the JS stack against absurdly deep (acyclic) input; cycles are written as references. */
const MAX_ENCODE_DEPTH = 1000;

/**
 * What the AMF0 and AMF3 encoders share around the format-specific markers:
 * choosing a value's form from its JS type, refusing JS values neither format
 * carries with the same error code, and bounding how deep a value may nest
 * before writing its complex form.
 */
export abstract class AmfValueWriter {
  private depth = 0;

  protected constructor(
    protected readonly w: ByteWriter,
    private readonly format: 'AMF0' | 'AMF3',
    private readonly markers: { readonly undefined: number; readonly null: number },
  ) {}

  protected abstract writeNumber(v: number): void;
  protected abstract writeBoolean(v: boolean): void;
  /** A string value, marker included. */
  protected abstract writeStringValue(v: string): void;
  /** Writes an object value (never null) in the format's complex forms. */
  protected abstract writeComplex(v: object): void;

  writeValue(v: AmfValue): void {
    switch (typeof v) {
      case 'number':
        this.writeNumber(v);
        return;
      case 'boolean':
        this.writeBoolean(v);
        return;
      case 'string':
        this.writeStringValue(v);
        return;
      case 'undefined':
        this.w.u8(this.markers.undefined);
        return;
      case 'object':
        this.writeObjectOrNull(v);
        return;
      default:
        // A function, symbol or bigint: nothing in either format can carry it.
        throw new RtmpError('AMF_ENCODE_UNSUPPORTED', `cannot encode a ${typeof v} in ${this.format}`);
    }
  }

  /** null gets its marker, anything else its complex form, depth-bounded. */
  private writeObjectOrNull(v: object | null): void {
    if (v === null) {
      this.w.u8(this.markers.null);
      return;
    }
    if (++this.depth > MAX_ENCODE_DEPTH) throw new RtmpError('AMF_ENCODE_UNSUPPORTED', 'value nested too deeply to encode');
    try {
      this.writeComplex(v);
    } finally {
      this.depth--;
    }
  }

  /** An instance of a class the format has no form for (Map, RegExp, a user class...). */
  protected unsupportedInstance(v: object): never {
    throw new RtmpError('AMF_ENCODE_UNSUPPORTED', `cannot encode an instance of ${v.constructor?.name ?? 'unknown'} in ${this.format}`);
  }
}

import { RtmpError } from '../errors.js';
import type { ByteWriter } from './ByteWriter.js';

/** Guards the JS stack against absurdly deep (acyclic) input; cycles are written as references. */
const MAX_ENCODE_DEPTH = 1000;

/**
 * What the AMF0 and AMF3 encoders share around the format-specific markers:
 * refusing JS values neither format carries with the same error code, and
 * bounding how deep a value may nest before writing its complex form.
 */
export abstract class AmfValueWriter {
  private depth = 0;

  protected constructor(
    protected readonly w: ByteWriter,
    private readonly format: 'AMF0' | 'AMF3',
  ) {}

  /** Writes an object value (never null) in the format's complex forms. */
  protected abstract writeComplex(v: object): void;

  /** `v` is what typeof reports as 'object': null gets its marker, anything else its complex form, depth-bounded. */
  protected writeObjectOrNull(v: object | null, nullMarker: number): void {
    if (v === null) {
      this.w.u8(nullMarker);
      return;
    }
    if (++this.depth > MAX_ENCODE_DEPTH) throw new RtmpError('AMF_ENCODE_UNSUPPORTED', 'value nested too deeply to encode');
    try {
      this.writeComplex(v);
    } finally {
      this.depth--;
    }
  }

  /** A function, symbol or bigint: nothing in either format can carry it. */
  protected unsupportedType(v: unknown): never {
    throw new RtmpError('AMF_ENCODE_UNSUPPORTED', `cannot encode a ${typeof v} in ${this.format}`);
  }

  /** An instance of a class the format has no form for (Map, RegExp, a user class...). */
  protected unsupportedInstance(v: object): never {
    throw new RtmpError('AMF_ENCODE_UNSUPPORTED', `cannot encode an instance of ${v.constructor?.name ?? 'unknown'} in ${this.format}`);
  }
}

import {
  AmfByteArray,
  AmfDictionary,
  AmfExternalizable,
  AmfLongString,
  AmfVector,
  AmfXml,
  AmfXmlDocument,
  type AmfValue,
} from './AmfValue.js';

export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

export interface AmfToPlainOptions {
  /**
   * Most nodes visited. Decoded AMF may share instances through references;
   * a small message can describe an exponentially large tree, so expansion is
   * budgeted. Nodes past the budget become null.
   */
  maxNodes?: number;
}

/**
 * Converts a decoded AMF value to plain JSON-able data for logs and metadata
 * APIs: wrappers become their natural JSON form (long strings and XML become
 * strings, ByteArray base64, Date ISO strings, undefined and non-finite
 * numbers null, cycles null).
 */
export function amfToPlain(value: AmfValue, options: AmfToPlainOptions = {}): PlainJson {
  let budget = options.maxNodes ?? 65536;
  const stack = new Set<object>();

  const convert = (v: AmfValue): PlainJson => {
    if (--budget < 0) return null;
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) ? v : null;
      case 'string':
      case 'boolean':
        return v;
      case 'undefined':
        return null;
      default:
        break;
    }
    if (v === null) return null;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
    if (v instanceof AmfLongString) return v.value;
    if (v instanceof AmfXmlDocument || v instanceof AmfXml) return v.xml;
    if (v instanceof AmfByteArray) return v.bytes.toString('base64');
    if (stack.has(v)) return null;
    stack.add(v);
    try {
      if (Array.isArray(v)) return v.map(convert);
      if (v instanceof AmfVector) return v.items.map(convert);
      if (v instanceof AmfExternalizable) return convert(v.value);
      if (v instanceof AmfDictionary) return v.entries.map(([k, val]) => ({ key: convert(k), value: convert(val) }));
      const out: { [key: string]: PlainJson } = {};
      for (const key of Object.keys(v)) {
        const converted = convert((v as Record<string, AmfValue>)[key]);
        if (key === '__proto__') Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
        else out[key] = converted;
      }
      return out;
    } finally {
      stack.delete(v);
    }
  };

  return convert(value);
}

/**
 * The JS shape of AMF values. Plain JS covers most of AMF; the wrapper classes
 * below exist only for what a plain value cannot say, so that a decoded value
 * re-encodes to the same bytes and an encoded value decodes to an equal value.
 */

/** Symbol under which a typed object keeps its class name (enumerable, so deep equality sees it; JSON and Object.keys do not). */
export const AMF_CLASS_NAME: unique symbol = Symbol.for('rtmp-cluster.amf.className');
/** AMF3 traits layout of a decoded typed object (non-enumerable: a layout detail, not part of the value). */
export const AMF3_TRAITS: unique symbol = Symbol.for('rtmp-cluster.amf3.traits');
/** How many leading index keys of an AmfEcmaArray were the AMF3 dense part (non-enumerable layout detail). */
export const AMF3_DENSE_LENGTH: unique symbol = Symbol.for('rtmp-cluster.amf3.denseLength');

export interface Amf3Traits {
  /** member names sent in the traits, in order */
  sealed: string[];
  /** whether further members follow as name/value pairs */
  dynamic: boolean;
}

export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | AmfValue[]
  | AmfObject
  | AmfEcmaArray
  | AmfTypedObject
  | AmfLongString
  | AmfXmlDocument
  | AmfXml
  | AmfByteArray
  | AmfVector
  | AmfDictionary
  | AmfExternalizable;

export type AmfObject = { [key: string]: AmfValue };

/**
 * Assigns a property without ever touching the prototype chain: a peer that
 * sends a key named "__proto__" gets an ordinary own property.
 */
export function setAmfProperty(target: object, key: string, value: AmfValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    (target as Record<string, AmfValue>)[key] = value;
  }
}

function assignAll(target: object, props: Record<string, AmfValue> | undefined): void {
  if (props === undefined) return;
  for (const key of Object.keys(props)) setAmfProperty(target, key, props[key]);
}

/**
 * AMF0 ECMA array (associative array, marker 0x08). Properties are own
 * enumerable props so `meta.width` works exactly as on a plain object.
 * In AMF3 it maps to an Array with an associative part.
 */
export class AmfEcmaArray {
  [key: string]: AmfValue;
  constructor(props?: Record<string, AmfValue>) {
    assignAll(this, props);
  }
}

/** Object with a class name (AMF0 0x10 typed object, AMF3 object with non-empty class name or sealed traits). */
export class AmfTypedObject {
  [key: string]: AmfValue;
  declare readonly [AMF_CLASS_NAME]: string;
  constructor(className: string, props?: Record<string, AmfValue>, traits?: Amf3Traits) {
    Object.defineProperty(this, AMF_CLASS_NAME, { value: className, enumerable: true, writable: false, configurable: false });
    if (traits !== undefined) Object.defineProperty(this, AMF3_TRAITS, { value: traits, enumerable: false });
    assignAll(this, props);
  }
}

/** Class name of a typed object ('' for anything else). */
export function amfClassName(value: unknown): string {
  return value instanceof AmfTypedObject ? value[AMF_CLASS_NAME] : '';
}

/** A string that was (or must be) sent with the AMF0 long-string marker 0x0C although it is short. */
export class AmfLongString {
  constructor(readonly value: string) {}
}

/** XML document: AMF0 0x0F, AMF3 0x07 (legacy XMLDocument). */
export class AmfXmlDocument {
  constructor(readonly xml: string) {}
}

/** AMF3 E4X XML (0x0B). */
export class AmfXml {
  constructor(readonly xml: string) {}
}

/** AMF3 ByteArray (0x0C). */
export class AmfByteArray {
  constructor(readonly bytes: Buffer) {}
}

export type AmfVectorKind = 'int' | 'uint' | 'double' | 'object';

/** AMF3 Vector.<int|uint|Number|Object> (0x0D-0x10). */
export class AmfVector {
  constructor(
    readonly kind: AmfVectorKind,
    readonly items: AmfValue[],
    readonly fixed: boolean = false,
    /** element class name, object vectors only ('' = Object / '*') */
    readonly typeName: string = '',
  ) {}
}

/** AMF3 Dictionary (0x11): keys may be any value. */
export class AmfDictionary {
  constructor(
    readonly entries: Array<[AmfValue, AmfValue]>,
    readonly weakKeys: boolean = false,
  ) {}
}

/**
 * AMF3 externalizable object of a known class whose body is one AMF3 value
 * (flex.messaging.io.ArrayCollection, ArrayList, ObjectProxy).
 */
export class AmfExternalizable {
  constructor(
    readonly className: string,
    readonly value: AmfValue,
  ) {}
}

/** Classes whose externalized form is exactly one AMF3 value; any other externalizable class is rejected. */
export const KNOWN_EXTERNALIZABLE_CLASSES: ReadonlySet<string> = new Set([
  'flex.messaging.io.ArrayCollection',
  'flex.messaging.io.ArrayList',
  'flex.messaging.io.ObjectProxy',
]);

/** True for values AMF0 cannot express natively (the AMF0 encoder writes them after an AVM+ switch). */
export function isAmf3Only(value: unknown): boolean {
  return (
    value instanceof AmfByteArray ||
    value instanceof AmfVector ||
    value instanceof AmfDictionary ||
    value instanceof AmfXml ||
    value instanceof AmfExternalizable
  );
}

/** Plain object check: what the encoders write as an anonymous object. */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

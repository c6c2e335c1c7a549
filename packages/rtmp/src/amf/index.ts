export * from './AmfValue.js';
export { Amf0Marker, decodeAmf0, decodeAmf0From } from './Amf0Decoder.js';
export { encodeAmf0, encodeAmf0WithPrefix, type Amf0EncodeOptions } from './Amf0Encoder.js';
export { Amf3Marker, decodeAmf3 } from './Amf3Decoder.js';
export { encodeAmf3 } from './Amf3Encoder.js';
export { amfToPlain, type AmfToPlainOptions, type PlainJson } from './amfToPlain.js';

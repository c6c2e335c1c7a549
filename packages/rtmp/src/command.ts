import { splitQuery } from '@rtmp-cluster/core';
import { RtmpError } from './errors.js';
import { decodeAmf0From } from './amf/Amf0Decoder.js';
import { encodeAmf0WithPrefix } from './amf/Amf0Encoder.js';
import { AmfEcmaArray, AmfLongString, AmfTypedObject, isPlainObject, type AmfObject, type AmfValue } from './amf/AmfValue.js';
import { ChunkStreamId, MessageType, type ProtocolLimits, type RtmpMessage } from './message.js';

export interface RtmpCommand {
  name: string;
  transactionId: number;
  commandObject: AmfValue;
  args: AmfValue[];
}

/** A string value, accepting a long-string wrapper (some encoders use 0x0C for everything). */
function asString(v: AmfValue): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof AmfLongString) return v.value;
  return undefined;
}

/** True for values readable as Record<string, AmfValue> (objects, ECMA arrays, typed objects). */
export function isAmfObject(v: AmfValue): v is AmfObject {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v instanceof AmfEcmaArray || v instanceof AmfTypedObject || (!Array.isArray(v) && isPlainObject(v)))
  );
}

/**
 * Types 17 and 15 start with a format byte (0x00) before the AMF0 values.
 * A command or data message never starts with an AMF0 number, so a leading
 * 0x00 is always that byte; peers that omit it are read as plain AMF0.
 */
function amf3BodyStart(payload: Buffer): number {
  return payload.length > 0 && payload[0] === 0x00 ? 1 : 0;
}

/** Decodes a command message (type 20, or 17). Throws RtmpError (COMMAND_MALFORMED, AMF_*). */
export function decodeCommand(msg: RtmpMessage, limits?: Partial<ProtocolLimits>): RtmpCommand {
  let start: number;
  if (msg.type === MessageType.CommandAmf0) start = 0;
  else if (msg.type === MessageType.CommandAmf3) start = amf3BodyStart(msg.payload);
  else throw new RtmpError('COMMAND_MALFORMED', `message type ${msg.type} is not a command`);
  const values = decodeAmf0From(msg.payload, start, limits);
  const name = asString(values[0]);
  if (name === undefined) throw new RtmpError('COMMAND_MALFORMED', 'command without a name');
  const transactionId = values[1];
  if (typeof transactionId !== 'number') {
    throw new RtmpError('COMMAND_MALFORMED', `command "${name.slice(0, 64)}" without a transaction id`);
  }
  return {
    name,
    transactionId,
    commandObject: values.length > 2 ? values[2] : null,
    args: values.slice(3),
  };
}

/** Command payload. Encoding 3 gives a type-17 payload: format byte, then AMF0 with objects switched to AMF3. */
export function encodeCommand(cmd: RtmpCommand, encoding: 0 | 3 = 0): Buffer {
  const values: AmfValue[] = [cmd.name, cmd.transactionId, cmd.commandObject, ...cmd.args];
  return encoding === 3 ? encodeAmf0WithPrefix([0x00], values, { avmPlus: true }) : encodeAmf0WithPrefix([], values);
}

/** A ready-to-send command message (csid 3, message stream 0 and AMF0 unless told otherwise). */
export function commandMessage(
  cmd: RtmpCommand,
  opts: { csid?: number; streamId?: number; encoding?: 0 | 3; timestamp?: number } = {},
): RtmpMessage {
  const encoding = opts.encoding ?? 0;
  return {
    csid: opts.csid ?? ChunkStreamId.Command,
    type: encoding === 3 ? MessageType.CommandAmf3 : MessageType.CommandAmf0,
    timestamp: opts.timestamp ?? 0,
    streamId: opts.streamId ?? 0,
    payload: encodeCommand(cmd, encoding),
  };
}

/** Decodes a data message (type 18, or 15 with its format byte). */
export function decodeData(msg: RtmpMessage, limits?: Partial<ProtocolLimits>): AmfValue[] {
  if (msg.type === MessageType.DataAmf0) return decodeAmf0From(msg.payload, 0, limits);
  if (msg.type === MessageType.DataAmf3) return decodeAmf0From(msg.payload, amf3BodyStart(msg.payload), limits);
  throw new RtmpError('COMMAND_MALFORMED', `message type ${msg.type} is not a data message`);
}

/** Data payload (type 18; encoding 3 => type-15 payload). */
export function encodeData(values: AmfValue[], encoding: 0 | 3 = 0): Buffer {
  return encoding === 3 ? encodeAmf0WithPrefix([0x00], values, { avmPlus: true }) : encodeAmf0WithPrefix([], values);
}

/**
 * Publishers send metadata as ['@setDataFrame', 'onMetaData', obj]; players
 * must get ['onMetaData', obj]. Returns the values without the prefix, or the
 * values unchanged when there is none.
 */
export function stripSetDataFrame(values: AmfValue[]): AmfValue[] {
  return asString(values[0]) === '@setDataFrame' ? values.slice(1) : values;
}

/**
 * The metadata object of an onMetaData data message (with or without the
 * @setDataFrame prefix), or null when the message is something else.
 * Some encoders send the object as an ECMA array, some as an object.
 */
export function extractMetadata(values: AmfValue[]): AmfObject | null {
  const v = stripSetDataFrame(values);
  if (asString(v[0]) !== 'onMetaData') return null;
  const obj = v[1];
  return obj !== undefined && isAmfObject(obj) ? obj : null;
}

export interface ConnectParams {
  app: string | undefined;
  tcUrl: string | undefined;
  flashVer: string | undefined;
  swfUrl: string | undefined;
  pageUrl: string | undefined;
  /** 3 only when the client asked for AMF3; any other value means AMF0 */
  objectEncoding: 0 | 3;
  /** Enhanced RTMP codec FourCCs the client supports ('*' = any); undefined when not sent */
  fourCcList: string[] | undefined;
  /** Enhanced RTMP capability bits (Reconnect 1, Multitrack 2, ModEx 4, TimestampNanoOffset 8); 0 when absent */
  capsEx: number;
  /** FourCC -> CanDecode 1 | CanEncode 2 | CanForward 4 */
  videoFourCcInfoMap: Record<string, number> | undefined;
  audioFourCcInfoMap: Record<string, number> | undefined;
  /** the command object as received ({} when it was not an object) */
  raw: AmfObject;
}

export const CapsEx = { Reconnect: 1, Multitrack: 2, ModEx: 4, TimestampNanoOffset: 8 } as const;
export const FourCcInfoMask = { CanDecode: 1, CanEncode: 2, CanForward: 4 } as const;

function readInfoMap(v: AmfValue): Record<string, number> | undefined {
  if (v === undefined || !isAmfObject(v)) return undefined;
  const out: Record<string, number> = {};
  for (const key of Object.keys(v)) {
    const n = v[key];
    if (typeof n !== 'number' || !Number.isFinite(n)) continue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: n, enumerable: true, writable: true, configurable: true });
    else out[key] = n;
  }
  return out;
}

function readFourCcList(v: AmfValue): string[] | undefined {
  const s = asString(v);
  if (s !== undefined) return [s];
  let items: AmfValue[];
  if (Array.isArray(v)) items = v;
  else if (v instanceof AmfEcmaArray) items = Object.values(v);
  else return undefined;
  const out: string[] = [];
  for (const item of items) {
    const fourCc = asString(item);
    if (fourCc !== undefined) out.push(fourCc);
  }
  return out;
}

/** Reads the connect command object; every field is optional (librtmp sends no flashVer, tcUrl may be absent). */
export function parseConnectParams(cmdObj: AmfValue): ConnectParams {
  const raw: AmfObject = isAmfObject(cmdObj) ? cmdObj : {};
  const field = (key: string): AmfValue => (Object.prototype.hasOwnProperty.call(raw, key) ? raw[key] : undefined);
  const capsEx = field('capsEx');
  return {
    app: asString(field('app')),
    tcUrl: asString(field('tcUrl')),
    flashVer: asString(field('flashVer')) ?? asString(field('flashver')),
    swfUrl: asString(field('swfUrl')),
    pageUrl: asString(field('pageUrl')),
    objectEncoding: field('objectEncoding') === 3 ? 3 : 0,
    fourCcList: readFourCcList(field('fourCcList')),
    capsEx: typeof capsEx === 'number' && Number.isFinite(capsEx) ? capsEx >>> 0 : 0,
    videoFourCcInfoMap: readInfoMap(field('videoFourCcInfoMap')),
    audioFourCcInfoMap: readInfoMap(field('audioFourCcInfoMap')),
    raw,
  };
}

export interface StreamName {
  /** the name without its query */
  name: string;
  /** decoded query parameters (the first value wins for a repeated key) */
  query: Record<string, string>;
}

/** Splits a publish/play name like 'key?token=abc' into the name and its query parameters (the core rule). */
export function parseStreamName(fullName: string): StreamName {
  const { path, query } = splitQuery(fullName);
  return { name: path, query };
}

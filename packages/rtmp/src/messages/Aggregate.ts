import { RtmpError } from '../errors.js';
import { DEFAULT_LIMITS, MessageType, type ProtocolLimits, type RtmpMessage } from '../message.js';

/** FLV tag header: type(1) size(3) timestamp(3) timestamp-extended(1) stream id(3). */
const TAG_HEADER_SIZE = 11;
const BACK_POINTER_SIZE = 4;

/**
 * Splits an aggregate message (type 22, RTMP 7.1.6) into its sub-messages.
 * The body is a run of FLV tags, each followed by a 4-byte back-pointer
 * (tag size + 11). Sub-message timestamps are rebased so the first one gets
 * the aggregate's timestamp and the others keep their offsets to it (uint32
 * arithmetic). Sub-messages take the aggregate's csid and message stream id;
 * their payloads are views into the aggregate's payload.
 */
export function splitAggregate(msg: RtmpMessage, limits: Partial<ProtocolLimits> = {}): RtmpMessage[] {
  if (msg.type !== MessageType.Aggregate) {
    throw new RtmpError('MESSAGE_MALFORMED', `message type ${msg.type} is not an aggregate`);
  }
  const maxMessageSize = limits.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
  const body = msg.payload;
  const out: RtmpMessage[] = [];
  let firstTimestamp = 0;
  let pos = 0;
  while (pos < body.length) {
    if (pos + TAG_HEADER_SIZE > body.length) {
      throw new RtmpError('MESSAGE_MALFORMED', `aggregate: truncated sub-message header at offset ${pos}`);
    }
    const type = body[pos] as number;
    const size = body.readUIntBE(pos + 1, 3);
    // FLV stores the low 24 bits first and the high 8 bits after them.
    const timestamp = (body.readUIntBE(pos + 4, 3) | ((body[pos + 7] as number) << 24)) >>> 0;
    if (size > maxMessageSize) {
      throw new RtmpError('MESSAGE_TOO_LARGE', `aggregate: sub-message of ${size} bytes exceeds ${maxMessageSize}`);
    }
    const dataStart = pos + TAG_HEADER_SIZE;
    const dataEnd = dataStart + size;
    if (dataEnd + BACK_POINTER_SIZE > body.length) {
      throw new RtmpError(
        'MESSAGE_MALFORMED',
        `aggregate: sub-message at offset ${pos} declares ${size} bytes, only ${body.length - dataStart} left`,
      );
    }
    const backPointer = body.readUInt32BE(dataEnd);
    if (backPointer !== size + TAG_HEADER_SIZE) {
      throw new RtmpError(
        'MESSAGE_MALFORMED',
        `aggregate: back-pointer ${backPointer} after sub-message at offset ${pos} should be ${size + TAG_HEADER_SIZE}`,
      );
    }
    if (out.length === 0) firstTimestamp = timestamp;
    out.push({
      csid: msg.csid,
      type,
      timestamp: (msg.timestamp + (timestamp - firstTimestamp)) >>> 0,
      streamId: msg.streamId,
      payload: body.subarray(dataStart, dataEnd),
    });
    pos = dataEnd + BACK_POINTER_SIZE;
  }
  return out;
}

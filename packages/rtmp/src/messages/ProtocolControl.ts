import { RtmpError } from '../errors.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../message.js';
import { assertValidChunkSize, assertValidCsid } from '../chunk/ChunkHeader.js';

/** Protocol control messages (RTMP 5.4): types 1, 2, 3, 5, 6, always on csid 2 and message stream 0. */
export type ProtocolControl =
  | { kind: 'setChunkSize'; size: number }
  | { kind: 'abort'; csid: number }
  | { kind: 'acknowledgement'; sequence: number }
  | { kind: 'windowAckSize'; size: number }
  | { kind: 'setPeerBandwidth'; size: number; limitType: number };

function controlMessage(type: number, payload: Buffer): RtmpMessage {
  return { csid: ChunkStreamId.Control, type, timestamp: 0, streamId: 0, payload };
}

function uint32Payload(value: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(value >>> 0, 0);
  return payload;
}

function assertUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RtmpError('MESSAGE_MALFORMED', `${what} ${value} is not a uint32`);
  }
}

export function setChunkSizeMessage(size: number): RtmpMessage {
  assertValidChunkSize(size);
  return controlMessage(MessageType.SetChunkSize, uint32Payload(size));
}

export function abortMessage(csid: number): RtmpMessage {
  assertValidCsid(csid);
  return controlMessage(MessageType.Abort, uint32Payload(csid));
}

/** `sequence` may be the unwrapped byte count: the field carries it mod 2^32 (RTMP 5.4.3). */
export function acknowledgementMessage(sequence: number): RtmpMessage {
  if (!Number.isFinite(sequence) || sequence < 0) {
    throw new RtmpError('MESSAGE_MALFORMED', `acknowledgement sequence ${sequence} is not a byte count`);
  }
  return controlMessage(MessageType.Acknowledgement, uint32Payload(sequence % 0x100000000));
}

export function windowAckSizeMessage(size: number): RtmpMessage {
  assertUint32(size, 'window acknowledgement size');
  return controlMessage(MessageType.WindowAckSize, uint32Payload(size));
}

/** limitType: 0 hard, 1 soft, 2 dynamic (RTMP 5.4.5). */
export function setPeerBandwidthMessage(size: number, limitType: 0 | 1 | 2): RtmpMessage {
  assertUint32(size, 'peer bandwidth');
  if (limitType !== 0 && limitType !== 1 && limitType !== 2) {
    throw new RtmpError('MESSAGE_MALFORMED', `peer bandwidth limit type ${String(limitType)} is not 0, 1 or 2`);
  }
  const payload = Buffer.allocUnsafe(5);
  payload.writeUInt32BE(size, 0);
  payload[4] = limitType;
  return controlMessage(MessageType.SetPeerBandwidth, payload);
}

function readUint32(msg: RtmpMessage, what: string): number {
  if (msg.payload.length < 4) {
    throw new RtmpError('MESSAGE_MALFORMED', `${what} message has ${msg.payload.length} bytes, needs 4`);
  }
  return msg.payload.readUInt32BE(0);
}

/**
 * Reads a protocol control message. Values are returned as sent (the chunk
 * decoder has already validated Set Chunk Size); a limit type outside 0..2 is
 * returned too, so the session can tolerate it.
 */
export function parseProtocolControl(msg: RtmpMessage): ProtocolControl {
  switch (msg.type) {
    case MessageType.SetChunkSize:
      return { kind: 'setChunkSize', size: readUint32(msg, 'Set Chunk Size') };
    case MessageType.Abort:
      return { kind: 'abort', csid: readUint32(msg, 'Abort') };
    case MessageType.Acknowledgement:
      return { kind: 'acknowledgement', sequence: readUint32(msg, 'Acknowledgement') };
    case MessageType.WindowAckSize:
      return { kind: 'windowAckSize', size: readUint32(msg, 'Window Acknowledgement Size') };
    case MessageType.SetPeerBandwidth: {
      const size = readUint32(msg, 'Set Peer Bandwidth');
      // The limit type byte is sometimes left off; dynamic (2) is the harmless reading.
      const limitType = msg.payload.length >= 5 ? (msg.payload[4] as number) : 2;
      return { kind: 'setPeerBandwidth', size, limitType };
    }
    default:
      throw new RtmpError('MESSAGE_MALFORMED', `message type ${msg.type} is not a protocol control message`);
  }
}

import { RtmpError } from '../errors.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../message.js';

/** User control event types (RTMP 7.1.7). */
export const UserControlEventType = {
  StreamBegin: 0,
  StreamEof: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/**
 * A parsed user control event. Event types this module does not know (SWF
 * verification 26/27, buffer empty/ready 31/32, ...) come back as 'unknown'
 * with their raw data, so callers can ignore them instead of failing.
 */
export type UserControlEvent =
  | { kind: 'streamBegin'; streamId: number }
  | { kind: 'streamEof'; streamId: number }
  | { kind: 'streamDry'; streamId: number }
  | { kind: 'setBufferLength'; streamId: number; bufferMs: number }
  | { kind: 'streamIsRecorded'; streamId: number }
  | { kind: 'pingRequest'; timestamp: number }
  | { kind: 'pingResponse'; timestamp: number }
  | { kind: 'unknown'; eventType: number; data: Buffer };

function eventPayload(eventType: number, ...values: number[]): Buffer {
  const payload = Buffer.allocUnsafe(2 + 4 * values.length);
  payload.writeUInt16BE(eventType, 0);
  values.forEach((v, i) => payload.writeUInt32BE(v >>> 0, 2 + 4 * i));
  return payload;
}

function buildPayload(ev: UserControlEvent): Buffer {
  switch (ev.kind) {
    case 'streamBegin':
      return eventPayload(UserControlEventType.StreamBegin, ev.streamId);
    case 'streamEof':
      return eventPayload(UserControlEventType.StreamEof, ev.streamId);
    case 'streamDry':
      return eventPayload(UserControlEventType.StreamDry, ev.streamId);
    case 'setBufferLength':
      return eventPayload(UserControlEventType.SetBufferLength, ev.streamId, ev.bufferMs);
    case 'streamIsRecorded':
      return eventPayload(UserControlEventType.StreamIsRecorded, ev.streamId);
    case 'pingRequest':
      return eventPayload(UserControlEventType.PingRequest, ev.timestamp);
    case 'pingResponse':
      return eventPayload(UserControlEventType.PingResponse, ev.timestamp);
    case 'unknown': {
      if (!Number.isInteger(ev.eventType) || ev.eventType < 0 || ev.eventType > 0xffff) {
        throw new RtmpError('MESSAGE_MALFORMED', `user control event type ${ev.eventType} is not a uint16`);
      }
      const payload = Buffer.allocUnsafe(2 + ev.data.length);
      payload.writeUInt16BE(ev.eventType, 0);
      ev.data.copy(payload, 2);
      return payload;
    }
  }
}

/** Type 4 on csid 2, message stream 0 (the affected stream id travels in the event data). */
export function userControlMessage(ev: UserControlEvent): RtmpMessage {
  return {
    csid: ChunkStreamId.Control,
    type: MessageType.UserControl,
    timestamp: 0,
    streamId: 0,
    payload: buildPayload(ev),
  };
}

export function parseUserControl(msg: RtmpMessage): UserControlEvent {
  const p = msg.payload;
  if (msg.type !== MessageType.UserControl) {
    throw new RtmpError('MESSAGE_MALFORMED', `message type ${msg.type} is not a user control message`);
  }
  if (p.length < 2) {
    throw new RtmpError('MESSAGE_MALFORMED', `user control message has ${p.length} bytes, needs at least 2`);
  }
  const eventType = p.readUInt16BE(0);
  const need = (bytes: number): void => {
    if (p.length < 2 + bytes) {
      throw new RtmpError(
        'MESSAGE_MALFORMED',
        `user control event ${eventType} has ${p.length - 2} data bytes, needs ${bytes}`,
      );
    }
  };
  switch (eventType) {
    case UserControlEventType.StreamBegin:
      need(4);
      return { kind: 'streamBegin', streamId: p.readUInt32BE(2) };
    case UserControlEventType.StreamEof:
      need(4);
      return { kind: 'streamEof', streamId: p.readUInt32BE(2) };
    case UserControlEventType.StreamDry:
      need(4);
      return { kind: 'streamDry', streamId: p.readUInt32BE(2) };
    case UserControlEventType.SetBufferLength:
      need(8);
      return { kind: 'setBufferLength', streamId: p.readUInt32BE(2), bufferMs: p.readUInt32BE(6) };
    case UserControlEventType.StreamIsRecorded:
      need(4);
      return { kind: 'streamIsRecorded', streamId: p.readUInt32BE(2) };
    case UserControlEventType.PingRequest:
      need(4);
      return { kind: 'pingRequest', timestamp: p.readUInt32BE(2) };
    case UserControlEventType.PingResponse:
      need(4);
      return { kind: 'pingResponse', timestamp: p.readUInt32BE(2) };
    default:
      return { kind: 'unknown', eventType, data: p.subarray(2) };
  }
}

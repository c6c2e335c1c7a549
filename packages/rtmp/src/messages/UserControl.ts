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

type KnownEvent = Exclude<UserControlEvent, { kind: 'unknown' }>;
type EventFields<K extends KnownEvent['kind']> = Exclude<keyof Extract<KnownEvent, { kind: K }>, 'kind'>;

/** Each known event's type and its uint32 fields in wire order: the one layout the builder and the parser share. */
const LAYOUTS: { [K in KnownEvent['kind']]: { type: number; fields: readonly EventFields<K>[] } } = {
  streamBegin: { type: UserControlEventType.StreamBegin, fields: ['streamId'] },
  streamEof: { type: UserControlEventType.StreamEof, fields: ['streamId'] },
  streamDry: { type: UserControlEventType.StreamDry, fields: ['streamId'] },
  setBufferLength: { type: UserControlEventType.SetBufferLength, fields: ['streamId', 'bufferMs'] },
  streamIsRecorded: { type: UserControlEventType.StreamIsRecorded, fields: ['streamId'] },
  pingRequest: { type: UserControlEventType.PingRequest, fields: ['timestamp'] },
  pingResponse: { type: UserControlEventType.PingResponse, fields: ['timestamp'] },
};

const KIND_BY_TYPE = new Map(Object.entries(LAYOUTS).map(([kind, layout]) => [layout.type, kind as KnownEvent['kind']]));

function buildPayload(ev: UserControlEvent): Buffer {
  if (ev.kind === 'unknown') {
    if (!Number.isInteger(ev.eventType) || ev.eventType < 0 || ev.eventType > 0xffff) {
      throw new RtmpError('MESSAGE_MALFORMED', `user control event type ${ev.eventType} is not a uint16`);
    }
    const payload = Buffer.allocUnsafe(2 + ev.data.length);
    payload.writeUInt16BE(ev.eventType, 0);
    ev.data.copy(payload, 2);
    return payload;
  }
  const { type, fields } = LAYOUTS[ev.kind];
  const values = ev as unknown as Record<string, number>;
  const payload = Buffer.allocUnsafe(2 + 4 * fields.length);
  payload.writeUInt16BE(type, 0);
  fields.forEach((f, i) => payload.writeUInt32BE(values[f]! >>> 0, 2 + 4 * i));
  return payload;
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
  const kind = KIND_BY_TYPE.get(eventType);
  if (kind === undefined) return { kind: 'unknown', eventType, data: p.subarray(2) };
  const { fields } = LAYOUTS[kind];
  if (p.length < 2 + 4 * fields.length) {
    throw new RtmpError('MESSAGE_MALFORMED', `user control event ${eventType} has ${p.length - 2} data bytes, needs ${4 * fields.length}`);
  }
  const ev: Record<string, unknown> = { kind };
  fields.forEach((f, i) => (ev[f] = p.readUInt32BE(2 + 4 * i)));
  return ev as UserControlEvent;
}

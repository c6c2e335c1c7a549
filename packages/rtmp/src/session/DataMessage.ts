import type { AmfValue } from '../amf/index.js';
import { decodeData, encodeData } from '../command.js';
import { isRtmpError } from '../errors.js';
import { MessageType, type ProtocolLimits, type RtmpMessage } from '../message.js';
import type { MediaEvent, MediaEventKind, MetadataEvent } from './SessionTypes.js';

/** What a publisher's data message (type 18 / 15) means for the stream. */
export type DataMessageMeaning =
  | { kind: 'metadata'; metadata: AmfValue; message: RtmpMessage }
  /** plain AMF0 (type 18); `handler` = its first value (e.g. 'onTextData', '|RtmpSampleAccess') */
  | { kind: 'data'; message: RtmpMessage; handler: string }
  | { kind: 'clear' }
  | { kind: 'malformed'; reason: string };

function dataMessageLike(msg: RtmpMessage, values: AmfValue[]): RtmpMessage {
  return { csid: msg.csid, type: MessageType.DataAmf0, timestamp: msg.timestamp, streamId: msg.streamId, payload: encodeData(values) };
}

/**
 * Interprets a data message: '@setDataFrame' is the publisher asking the server to keep the frame
 * and send it to players as if it had been sent directly, so the prefix is stripped; onMetaData
 * becomes metadata re-encoded as plain AMF0, ready for players that never saw the prefix. Other data
 * comes out as plain AMF0 too (AMF3 data, type 15, is re-encoded), so nobody downstream decodes it again.
 */
export function interpretDataMessage(msg: RtmpMessage, limits?: Partial<ProtocolLimits>): DataMessageMeaning {
  let values: AmfValue[];
  try {
    values = decodeData(msg, limits);
  } catch (err) {
    if (isRtmpError(err)) return { kind: 'malformed', reason: `${err.code}: ${err.message}` };
    throw err;
  }
  let stripped = false;
  if (values[0] === '@clearDataFrame') return { kind: 'clear' };
  if (values[0] === '@setDataFrame') {
    values = values.slice(1);
    stripped = true;
  }
  if (values[0] === 'onMetaData' && values.length >= 2) {
    const metadata = values[1] as AmfValue;
    return { kind: 'metadata', metadata, message: dataMessageLike(msg, ['onMetaData', metadata]) };
  }
  const handler = values[0];
  if (typeof handler !== 'string') return { kind: 'malformed', reason: 'data message without a handler name' };
  const plain = !stripped && msg.type === MessageType.DataAmf0;
  return { kind: 'data', message: plain ? msg : dataMessageLike(msg, values), handler };
}

export function mediaKindOf(type: number): MediaEventKind | undefined {
  switch (type) {
    case MessageType.Audio:
      return 'audio';
    case MessageType.Video:
      return 'video';
    case MessageType.DataAmf0:
    case MessageType.DataAmf3:
      return 'data';
    default:
      return undefined;
  }
}

/** Why a media message makes no event: not media, '@clearDataFrame', or undecodable data. */
export interface DroppedMedia {
  kind: 'dropped';
  /** undefined for '@clearDataFrame' (nothing to report) */
  reason: string | undefined;
}

/**
 * The event one audio, video or data message of message stream `streamId` becomes, decoded once: audio
 * and video as they are, data interpreted (see interpretDataMessage). What the sessions emit as 'media'
 * and 'metadata', and what the media hub takes.
 */
export function mediaEventOf(msg: RtmpMessage, streamId: number, limits?: Partial<ProtocolLimits>): MediaEvent | MetadataEvent | DroppedMedia {
  const kind = mediaKindOf(msg.type);
  if (kind === undefined) return { kind: 'dropped', reason: `message type ${msg.type} ignored` };
  if (kind !== 'data') return { streamId, kind, message: msg };
  const meaning = interpretDataMessage(msg, limits);
  switch (meaning.kind) {
    case 'metadata':
      return { streamId, kind: 'metadata', metadata: meaning.metadata, message: meaning.message };
    case 'data':
      return { streamId, kind: 'data', message: meaning.message, handler: meaning.handler };
    case 'clear':
      return { kind: 'dropped', reason: undefined };
    case 'malformed':
      return { kind: 'dropped', reason: `undecodable data message dropped: ${meaning.reason}` };
  }
}

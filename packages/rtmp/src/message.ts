/** RTMP message type ids (RTMP spec 1.0, sections 5.4, 6.2, 7.1). */
export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/** Conventional chunk stream ids; any 2..65599 is legal on the wire. */
export const ChunkStreamId = {
  Control: 2,
  Command: 3,
  Audio: 4,
  Video: 6,
  Data: 5,
} as const;

/**
 * One complete RTMP message, as reassembled from chunks or to be chunked.
 * `timestamp` is the absolute 32-bit timestamp in ms (uint32, wraps at 2^32).
 * `payload` may be a view into a larger Buffer; consumers that keep it beyond
 * the callback must not assume they own the underlying memory exclusively,
 * but the decoder never reuses a payload's memory after emitting it.
 */
export interface RtmpMessage {
  /** chunk stream id it arrived on / should be sent on */
  csid: number;
  /** message type id (MessageType) */
  type: number;
  /** absolute timestamp, uint32 ms */
  timestamp: number;
  /** message stream id (0 for control and NetConnection commands) */
  streamId: number;
  payload: Buffer;
}

/** Bounds for everything a peer can make us allocate. */
export interface ProtocolLimits {
  /** largest Set Chunk Size accepted from the peer (protocol max 0x7FFFFFFF) */
  maxChunkSize: number;
  /** largest message length accepted (24-bit field, so at most 0xFFFFFF) */
  maxMessageSize: number;
  /** most chunk streams with state at once on one connection */
  maxChunkStreams: number;
  /** sum of bytes held in partially received messages */
  maxPendingBytes: number;
  /** AMF nesting depth */
  maxAmfDepth: number;
  /** AMF properties/elements per object or array, and total values per message */
  maxAmfItems: number;
}

export const DEFAULT_LIMITS: Readonly<ProtocolLimits> = Object.freeze({
  maxChunkSize: 0x7fffffff,
  maxMessageSize: 8 * 1024 * 1024,
  maxChunkStreams: 1024,
  maxPendingBytes: 16 * 1024 * 1024,
  maxAmfDepth: 32,
  maxAmfItems: 65536,
});

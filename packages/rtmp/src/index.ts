/**
 * The public API of the protocol layer: what servers, clients, relays and the media hub use. Buffers in,
 * objects out; no sockets. Everything else (chunk headers, digest internals, AMF readers, bit readers) is
 * internal: tests inside this package import it by path.
 */

// Errors and limits
export { RtmpError, isRtmpError, type RtmpErrorCode } from './errors.js';
export {
  MessageType,
  ChunkStreamId,
  DEFAULT_LIMITS,
  type MessageTypeId,
  type RtmpMessage,
  type ProtocolLimits,
} from './message.js';

// Handshake
export { ServerHandshake, type ServerHandshakeOptions } from './handshake/ServerHandshake.js';
export { ClientHandshake, type ClientHandshakeOptions } from './handshake/ClientHandshake.js';
export type { HandshakeStep } from './handshake/HandshakeStep.js';

// Chunk stream
export { ChunkDecoder, type ChunkDecoderOptions } from './chunk/ChunkDecoder.js';
export { ChunkEncoder, encodeMessageShared } from './chunk/ChunkEncoder.js';

// Messages
export {
  parseProtocolControl,
  setChunkSizeMessage,
  abortMessage,
  acknowledgementMessage,
  windowAckSizeMessage,
  setPeerBandwidthMessage,
  type ProtocolControl,
} from './messages/ProtocolControl.js';
export { UserControlEventType, userControlMessage, parseUserControl, type UserControlEvent } from './messages/UserControl.js';
export { splitAggregate } from './messages/Aggregate.js';
export {
  decodeCommand,
  encodeCommand,
  commandMessage,
  decodeData,
  encodeData,
  stripSetDataFrame,
  extractMetadata,
  isAmfObject,
  parseConnectParams,
  parseStreamName,
  CapsEx,
  FourCcInfoMask,
  type RtmpCommand,
  type ConnectParams,
  type StreamName,
} from './command.js';

// Sessions
export * from './session/SessionTypes.js';
export { ServerSession } from './session/ServerSession.js';
export { ClientSession } from './session/ClientSession.js';
export { mediaEventOf, type DroppedMedia } from './session/DataMessage.js';
export { StatusCode, statusInfo, onStatusMessage, type StatusLevel } from './session/NetStatus.js';

// AMF
export * from './amf/index.js';

// Media tags
export * from './media/index.js';

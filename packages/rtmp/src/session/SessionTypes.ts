import type { AmfObject, AmfValue } from '../amf/index.js';
import type { RtmpCommand } from '../command.js';
import type { RtmpError } from '../errors.js';
import type { ProtocolLimits, RtmpMessage } from '../message.js';

/**
 * Chunk stream ids the sessions send on. Media (audio 4, data 5, video 6) is
 * chunk-encoded by the media hub with encodeMessageShared, so nothing the
 * session emits may use those ids on the same connection.
 */
export const SessionChunkStream = {
  /** protocol control and user control, always message stream 0 */
  Control: 2,
  /** NetConnection commands and their replies (message stream 0) */
  Command: 3,
  /** NetStream status and stream-level data (|RtmpSampleAccess), on the stream's msid */
  StreamStatus: 8,
} as const;

export type ObjectEncoding = 0 | 3;

/** Query string parameters, `?a=1&b=2` -> { a: '1', b: '2' } (first value of a repeated key wins). */
export type QueryParams = Record<string, string>;

export type PublishType = 'live' | 'record' | 'append';

/** Why a publish or play ended. */
export type StreamEndReason =
  | 'deleteStream'
  | 'closeStream'
  | 'FCUnpublish'
  /** the same message stream issued play again (switching names) */
  | 'replay'
  /** ServerSession.close() / ClientSession.close(): the socket went away */
  | 'close';

// ---------------------------------------------------------------------------------------------
// Server side: requests the application answers, and notifications.
// ---------------------------------------------------------------------------------------------

/** A decoded `connect` command. Every field is optional on the wire; nothing is required. */
export interface ConnectRequest {
  transactionId: number;
  /** app without a query string and without leading/trailing '/' (e.g. 'live'); '' when absent */
  app: string;
  /** the app as sent (may contain '?query') */
  rawApp: string;
  /** query from the app (`live?token=x`), else from tcUrl; {} when none */
  appQuery: QueryParams;
  tcUrl: string | undefined;
  flashVer: string | undefined;
  swfUrl: string | undefined;
  pageUrl: string | undefined;
  /** 0 or 3; anything else reads as 0 */
  objectEncoding: ObjectEncoding;
  /** Enhanced RTMP: codecs the client supports ('*' = any), when declared */
  fourCcList: string[] | undefined;
  videoFourCcInfoMap: Record<string, number> | undefined;
  audioFourCcInfoMap: Record<string, number> | undefined;
  /** Enhanced RTMP v2 capsEx; 0 when absent */
  capsEx: number;
  /** the whole command object as sent (e.g. a relay credential field) */
  commandObject: AmfObject;
  /** optional arguments after the command object */
  args: AmfValue[];
  /** message type it arrived with (20; 17 tolerated) */
  messageType: number;
}

/** What a publish and a play request both carry: the stream name and the connection's app. */
export interface SessionStreamRequest {
  streamId: number;
  transactionId: number;
  /** stream name without its query ('key' of 'key?token=abc') */
  name: string;
  /** the name exactly as sent */
  rawName: string;
  /** query of the stream name */
  query: QueryParams;
  app: string;
  tcUrl: string | undefined;
  appQuery: QueryParams;
}

export interface SessionPublishRequest extends SessionStreamRequest {
  publishType: PublishType;
}

export interface SessionPlayRequest extends SessionStreamRequest {
  /** start as sent (default -2 when absent) */
  start: number;
  /** true for -2, -1, -1000, -2000 and 0 (librtmp sends 0 unless live=1); false for a positive VOD offset */
  live: boolean;
  /** duration as sent (default -1) */
  duration: number;
  /** reset flag as sent (default true) */
  reset: boolean;
}

/** A publish or play that ended (emitted once per accepted publish/play). */
export interface StreamEndEvent {
  streamId: number;
  name: string;
  reason: StreamEndReason;
}

/** releaseStream / FCPublish / FCUnpublish / FCSubscribe: informational, the session already answered. */
export interface StreamNameCommandEvent {
  command: string;
  name: string;
  transactionId: number;
}

export type MediaEventKind = 'audio' | 'video' | 'data';

/**
 * One audio, video or data message, decoded as far as the session goes (aggregates arrive split; a data
 * message is always plain AMF0, type 18, its '@setDataFrame' wrapper stripped and its handler name known),
 * so that what consumes it never decodes it again.
 */
export interface MediaEvent {
  streamId: number;
  kind: MediaEventKind;
  /** audio and video as received; data re-encoded as described above when it was not already so */
  message: RtmpMessage;
  /** data only: the handler name, its first value ('onTextData', 'onCuePoint', ...) */
  handler?: string;
}

/** onMetaData from a publisher ('@setDataFrame' stripped). */
export interface MetadataEvent {
  streamId: number;
  kind: 'metadata';
  /** the metadata object (ECMA array or object) */
  metadata: AmfValue;
  /** plain `onMetaData` AMF0 data message (type 18) on the publisher's msid, ready to fan out */
  message: RtmpMessage;
}

export interface UnknownCommandEvent {
  command: RtmpCommand;
  streamId: number;
}

export type SessionWarningCode =
  /** audio/video/data on a message stream that is not publishing (dropped) */
  | 'MEDIA_ON_IDLE_STREAM'
  /** media queued while a publish waited for the application overflowed its bound (dropped) */
  | 'MEDIA_PENDING_OVERFLOW'
  /** a protocol/user control payload that could not be parsed (ignored) */
  | 'CONTROL_MALFORMED'
  /** a user control event type nobody defines (ignored) */
  | 'USER_CONTROL_UNKNOWN'
  /** a reply (_result/_error) for no outstanding transaction (ignored) */
  | 'UNEXPECTED_RESULT'
  /** a message type the session does not handle (shared objects, ...), or an undecodable data message */
  | 'MESSAGE_IGNORED';

export interface SessionWarning {
  code: SessionWarningCode;
  message: string;
  streamId?: number;
}

export interface ServerSessionStats {
  /** media messages dropped because their msid was not publishing */
  mediaIgnored: number;
  /** media messages dropped because the pre-accept queue was full */
  mediaPendingDropped: number;
  unknownCommands: number;
  acknowledgementsSent: number;
  /** last sequence number the peer acknowledged (bytes mod 2^32), undefined until one arrived */
  lastAcknowledgementReceived: number | undefined;
}

/** Where a session (either end) is: connect not sent/received yet, waiting for its answer, usable, refused, gone. */
export type SessionState = 'new' | 'connecting' | 'connected' | 'rejected' | 'closed';

export type ServerSessionState = SessionState;

/** Per message stream state, as exposed to the caller. */
export type SessionStreamState = 'idle' | 'publishPending' | 'publishing' | 'playPending' | 'playing';

export interface SessionStreamInfo {
  streamId: number;
  state: SessionStreamState;
  /** name of the current/pending publish or play */
  name: string | undefined;
  /** last SetBufferLength the client sent for this stream, ms */
  bufferMs: number | undefined;
}

export interface ServerSessionOptions {
  /** every outgoing message, in order; the caller chunk-encodes and writes it */
  send: (msg: RtmpMessage) => void;
  /** Window Acknowledgement Size advertised after connect (default 2,500,000) */
  windowAckSize?: number;
  /** Set Peer Bandwidth size (default = windowAckSize), limit type 2 (dynamic) */
  peerBandwidth?: number;
  /** outbound chunk size announced after connect (default 4096) */
  outChunkSize?: number;
  /** most message streams one connection may create (default 64) */
  maxStreams?: number;
  /** bytes of media kept while a publish waits for acceptPublish (default 4 MiB) */
  maxPendingMediaBytes?: number;
  /** capsEx advertised to Enhanced RTMP clients (default Reconnect|Multitrack|ModEx|TimestampNanoOffset) */
  capsEx?: number;
  /** codecs advertised to Enhanced RTMP clients (default: the usual video and audio FourCCs) */
  fourCcList?: string[];
  limits?: Partial<ProtocolLimits>;
}

export interface AcceptConnectOptions {
  /** description in the NetConnection.Connect.Success info (default 'Connection succeeded.') */
  description?: string;
  /** extra properties merged into the _result command object */
  properties?: AmfObject;
  /** extra fields merged into the _result info object */
  info?: AmfObject;
}

/** The events both ends of a session emit. */
export interface SessionEventMap {
  media: [MediaEvent];
  metadata: [MetadataEvent];
  warning: [SessionWarning];
  /** round trip time in ms, from a PingResponse to ping(now) */
  rtt: [number];
}

/**
 * Events of ServerSession (node:events EventEmitter with this map). Listeners run synchronously
 * inside handleMessage()/close(); a listener may call accept/reject methods right away or later.
 */
export interface ServerSessionEventMap extends SessionEventMap {
  /** answer with acceptConnect() / rejectConnect() / redirectConnect() */
  connect: [ConnectRequest];
  /** answer with acceptPublish() / rejectPublish() */
  publish: [SessionPublishRequest];
  /** answer with acceptPlay() / playNotFound() / rejectPlay() (or wait, then notifyPublished) */
  play: [SessionPlayRequest];
  /** an accepted publish ended */
  unpublish: [StreamEndEvent];
  /** an accepted play ended */
  stopPlay: [StreamEndEvent];
  /**
   * The outbound chunk size changed: emitted right after the Set Chunk Size message went through
   * send() and before any further send(); the caller's ChunkEncoder must switch now.
   */
  outChunkSize: [number];
  /** releaseStream, FCPublish, FCUnpublish, FCSubscribe (already answered) */
  streamCommand: [StreamNameCommandEvent];
  /** a command the session does not know (already answered with _result if it had a transaction id) */
  unknownCommand: [UnknownCommandEvent];
  /** the client's SetBufferLength */
  bufferLength: [{ streamId: number; bufferMs: number }];
  /**
   * An illegal sequence found outside handleMessage: commands the client sent before connect was
   * answered are processed inside acceptConnect(), which never throws them at the application.
   * Close the connection exactly as for an RtmpError thrown by handleMessage.
   */
  protocolError: [RtmpError];
}

// ---------------------------------------------------------------------------------------------
// Client side.
// ---------------------------------------------------------------------------------------------

export interface ClientSessionOptions {
  send: (msg: RtmpMessage) => void;
  /** outbound chunk size sent (Set Chunk Size) before the first publish (default 4096) */
  outChunkSize?: number;
  /** Window Acknowledgement Size the client announces after connect succeeded (default 2,500,000; 0 = none) */
  windowAckSize?: number;
  limits?: Partial<ProtocolLimits>;
}

export interface ClientConnectOptions {
  app: string;
  tcUrl?: string;
  flashVer?: string;
  objectEncoding?: ObjectEncoding;
  /** Enhanced RTMP */
  fourCcList?: string[];
  capsEx?: number;
  videoFourCcInfoMap?: Record<string, number>;
  audioFourCcInfoMap?: Record<string, number>;
  /** extra command-object fields (e.g. a relay credential) */
  extra?: AmfObject;
  /** optional arguments after the command object */
  args?: AmfValue[];
}

export interface ConnectResult {
  properties: AmfObject;
  info: AmfObject;
  objectEncoding: ObjectEncoding;
  /** server's Enhanced RTMP advertisement, when present */
  capsEx: number | undefined;
  fourCcList: string[] | undefined;
}

export interface ConnectRejection {
  code: string;
  description: string;
  info: AmfObject;
  /** legacy redirect (info.ex.code 302): the tcUrl to reconnect to */
  redirect: string | undefined;
}

/** An onStatus from the server. */
export interface StatusEvent {
  streamId: number;
  level: string;
  code: string;
  description: string;
  info: AmfObject;
}

export interface StreamCreatedEvent {
  transactionId: number;
  streamId: number;
}

export interface ReconnectRequestEvent {
  tcUrl: string | undefined;
  description: string | undefined;
}

/** _result/_error for a command other than connect/createStream. */
export interface CommandReplyEvent {
  /** name of the command this answers ('' if unknown) */
  command: string;
  transactionId: number;
  ok: boolean;
  commandObject: AmfValue;
  args: AmfValue[];
}

export type ClientSessionState = SessionState;

export interface ClientSessionEventMap extends SessionEventMap {
  connected: [ConnectResult];
  connectRejected: [ConnectRejection];
  streamCreated: [StreamCreatedEvent];
  /** every onStatus (play/publish/unpublish/... codes) */
  status: [StatusEvent];
  /** Enhanced RTMP v2 NetConnection.Connect.ReconnectRequest */
  reconnectRequest: [ReconnectRequestEvent];
  commandReply: [CommandReplyEvent];
  /** the server sent a command the client does not handle (onBWDone, onFCPublish, |RtmpSampleAccess ...) */
  serverCommand: [UnknownCommandEvent];
  /** same contract as ServerSessionEventMap.outChunkSize */
  outChunkSize: [number];
}

import type { AmfObject, AmfValue } from '../amf/index.js';
import { CapsEx, decodeCommand, encodeData, parseConnectParams, parseStreamName, type RtmpCommand } from '../command.js';
import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from '../message.js';
import { setChunkSizeMessage, setPeerBandwidthMessage, windowAckSizeMessage } from '../messages/ProtocolControl.js';
import { userControlMessage } from '../messages/UserControl.js';
import { onStatusMessage, StatusCode, statusInfo, type StatusLevel } from './NetStatus.js';
import { DEFAULT_OUT_CHUNK_SIZE, DEFAULT_WINDOW_ACK_SIZE, SessionCore } from './SessionCore.js';
import {
  SessionChunkStream,
  type AcceptConnectOptions,
  type ConnectRequest,
  type PublishType,
  type ServerSessionEventMap,
  type ServerSessionOptions,
  type ServerSessionStats,
  type SessionStreamInfo,
  type SessionStreamRequest,
  type SessionStreamState,
  type StreamEndReason,
} from './SessionTypes.js';
import { isLivePlayStart, parseConnectApp } from './StreamName.js';

const DEFAULT_MAX_STREAMS = 64;
const DEFAULT_MAX_PENDING_MEDIA_BYTES = 4 * 1024 * 1024;
/** Commands a client may pipeline after connect before the application answered it. */
const MAX_QUEUED_COMMANDS = 16;

const DEFAULT_SERVER_CAPS_EX = CapsEx.Reconnect | CapsEx.Multitrack | CapsEx.ModEx | CapsEx.TimestampNanoOffset;
/** Codecs the server forwards (it never transcodes, so it can forward anything it can parse). */
const DEFAULT_SERVER_FOURCC_LIST = ['avc1', 'hvc1', 'av01', 'vp09', 'vp08', 'vvc1', 'mp4a', 'Opus', 'fLaC', 'ac-3', 'ec-3', '.mp3'];
/** FourCcInfoMap value for a forwarding server: CanForward. */
const FOURCC_CAN_FORWARD = 4;

/** Commands the session answers itself with _result (when txn != 0). */
const ANSWERED_COMMANDS = new Set(['releaseStream', 'FCPublish', 'FCUnpublish', '_checkbw', 'getStreamLength', 'FCSubscribe']);

interface StreamSlot {
  id: number;
  state: SessionStreamState;
  name: string | undefined;
  bufferMs: number | undefined;
  /** media that arrived while the publish waited for the application */
  pendingMedia: RtmpMessage[];
  pendingBytes: number;
}

function violation(message: string): RtmpError {
  return new RtmpError('SESSION_PROTOCOL_VIOLATION', message);
}

function argString(args: AmfValue[], i: number): string | undefined {
  const v = args[i];
  return typeof v === 'string' ? v : undefined;
}

function argNumber(args: AmfValue[], i: number): number | undefined {
  const v = args[i];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Server side of one RTMP connection, after the handshake. Pure: no sockets, no timers.
 * See README.md in this directory for the contract with the socket server.
 */
export class ServerSession extends SessionCore<ServerSessionEventMap> {
  private readonly windowAckSize: number;
  private readonly peerBandwidthSize: number;
  private readonly configuredOutChunkSize: number;
  private readonly maxStreams: number;
  private readonly maxPendingMediaBytes: number;
  private readonly serverCapsEx: number;
  private readonly serverFourCcList: string[];

  private connect: ConnectRequest | undefined;
  private readonly slots = new Map<number, StreamSlot>();
  private nextStreamId = 1;
  private queuedCommands: RtmpMessage[] = [];
  private readonly counters = { mediaIgnored: 0, mediaPendingDropped: 0, unknownCommands: 0 };

  constructor(options: ServerSessionOptions) {
    const windowAckSize = options.windowAckSize ?? DEFAULT_WINDOW_ACK_SIZE;
    // Until the peer announces its own window, ack on the one we advertise (nginx-rtmp does the same).
    super({ send: options.send, limits: options.limits, initialAckWindow: windowAckSize });
    this.windowAckSize = windowAckSize;
    this.peerBandwidthSize = options.peerBandwidth ?? this.windowAckSize;
    this.configuredOutChunkSize = options.outChunkSize ?? DEFAULT_OUT_CHUNK_SIZE;
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.maxPendingMediaBytes = options.maxPendingMediaBytes ?? DEFAULT_MAX_PENDING_MEDIA_BYTES;
    this.serverCapsEx = options.capsEx ?? DEFAULT_SERVER_CAPS_EX;
    this.serverFourCcList = options.fourCcList ?? DEFAULT_SERVER_FOURCC_LIST;
  }

  // ------------------------------------------------------------------------------------------
  // Observable state
  // ------------------------------------------------------------------------------------------

  get connectRequest(): ConnectRequest | undefined {
    return this.connect;
  }
  get stats(): Readonly<ServerSessionStats> {
    return {
      mediaIgnored: this.counters.mediaIgnored,
      mediaPendingDropped: this.counters.mediaPendingDropped,
      unknownCommands: this.counters.unknownCommands,
      acknowledgementsSent: this.control.acknowledgementsSent,
      lastAcknowledgementReceived: this.control.lastAcknowledgementReceived,
    };
  }
  stream(streamId: number): SessionStreamInfo | undefined {
    const slot = this.slots.get(streamId);
    return slot === undefined ? undefined : { streamId, state: slot.state, name: slot.name, bufferMs: slot.bufferMs };
  }
  streams(): SessionStreamInfo[] {
    return [...this.slots.keys()].map((id) => this.stream(id) as SessionStreamInfo);
  }

  // ------------------------------------------------------------------------------------------
  // Input
  // ------------------------------------------------------------------------------------------

  // Input: SessionCore.handleMessage routes each message here. Illegal sequences throw RtmpError
  // SESSION_PROTOCOL_VIOLATION, undecodable commands their decoding error; the caller closes the connection.

  protected override get acceptsInput(): boolean {
    return this.currentState !== 'closed' && this.currentState !== 'rejected';
  }

  // ------------------------------------------------------------------------------------------
  // Answers to requests
  // ------------------------------------------------------------------------------------------

  acceptConnect(opts: AcceptConnectOptions = {}): boolean {
    const req = this.connect;
    if (this.currentState !== 'connecting' || req === undefined) return false;
    this.currentState = 'connected';
    this.sendMessage(windowAckSizeMessage(this.windowAckSize));
    this.sendMessage(setPeerBandwidthMessage(this.peerBandwidthSize, 2));
    this.sendMessage(userControlMessage({ kind: 'streamBegin', streamId: 0 }));
    this.sendMessage(setChunkSizeMessage(this.configuredOutChunkSize));
    this.currentOutChunkSize = this.configuredOutChunkSize;
    this.emit('outChunkSize', this.currentOutChunkSize);

    const properties: AmfObject = { fmsVer: 'FMS/3,0,1,123', capabilities: 31, mode: 1 };
    const declaredEnhanced =
      req.fourCcList !== undefined ||
      req.videoFourCcInfoMap !== undefined ||
      req.audioFourCcInfoMap !== undefined ||
      req.commandObject['capsEx'] !== undefined;
    if (declaredEnhanced) {
      // Enhanced RTMP: the server states what it supports in the connect reply.
      properties['capsEx'] = this.serverCapsEx;
      properties['fourCcList'] = [...this.serverFourCcList];
      const infoMap: AmfObject = {};
      for (const fourCc of this.serverFourCcList) infoMap[fourCc] = FOURCC_CAN_FORWARD;
      properties['videoFourCcInfoMap'] = infoMap;
      properties['audioFourCcInfoMap'] = { ...infoMap };
    }
    Object.assign(properties, opts.properties);
    const info = statusInfo('status', StatusCode.ConnectSuccess, opts.description ?? 'Connection succeeded.', {
      objectEncoding: this.encoding,
      ...opts.info,
    });
    this.sendCommand({ name: '_result', transactionId: req.transactionId, commandObject: properties, args: [info] });

    const queued = this.queuedCommands;
    this.queuedCommands = [];
    for (const msg of queued) {
      if (this.currentState !== 'connected') break;
      try {
        this.handleCommandMessage(msg);
      } catch (err) {
        // The application called us, not the socket reader: report instead of throwing at it.
        if (!(err instanceof RtmpError)) throw err;
        this.emit('protocolError', err);
        break;
      }
    }
    return true;
  }

  rejectConnect(description: string): boolean {
    return this.refuseConnect(description, undefined);
  }

  /** Legacy redirect: _error NetConnection.Connect.Rejected with info.ex = {code 302, redirect}. */
  redirectConnect(tcUrl: string, description = 'Redirected.'): boolean {
    return this.refuseConnect(description, { ex: { code: 302, redirect: tcUrl } });
  }

  acceptPublish(streamId: number, description?: string): boolean {
    const slot = this.answerable(streamId, 'publishPending');
    if (slot === undefined) return false;
    slot.state = 'publishing';
    const name = slot.name ?? '';
    this.sendMessage(userControlMessage({ kind: 'streamBegin', streamId }));
    this.sendStatus(streamId, 'status', StatusCode.PublishStart, description ?? `${name} is now published.`, { details: name });
    const pending = slot.pendingMedia;
    slot.pendingMedia = [];
    slot.pendingBytes = 0;
    for (const msg of pending) {
      if (slot.state !== 'publishing') break;
      this.dispatchPublished(slot, msg);
    }
    return true;
  }

  rejectPublish(streamId: number, code: string, description: string): boolean {
    const slot = this.answerable(streamId, 'publishPending');
    if (slot === undefined) return false;
    this.resetSlot(slot);
    this.sendStatus(streamId, 'error', code, description);
    return true;
  }

  acceptPlay(streamId: number): boolean {
    const slot = this.answerable(streamId, 'playPending');
    if (slot === undefined) return false;
    slot.state = 'playing';
    const name = slot.name ?? '';
    this.sendMessage(userControlMessage({ kind: 'streamBegin', streamId }));
    this.sendStatus(streamId, 'status', StatusCode.PlayReset, `Playing and resetting ${name}.`, { details: name });
    this.sendStatus(streamId, 'status', StatusCode.PlayStart, `Started playing ${name}.`, { details: name });
    this.sendMessage({
      csid: SessionChunkStream.StreamStatus,
      type: MessageType.DataAmf0,
      timestamp: 0,
      streamId,
      payload: encodeData(['|RtmpSampleAccess', true, true]),
    });
    return true;
  }

  playNotFound(streamId: number, description?: string): boolean {
    const slot = this.slots.get(streamId);
    const name = slot?.name ?? '';
    return this.rejectPlay(streamId, StatusCode.PlayStreamNotFound, description ?? `Stream not found: ${name}`);
  }

  rejectPlay(streamId: number, code: string, description: string): boolean {
    const slot = this.answerable(streamId, 'playPending');
    if (slot === undefined) return false;
    const name = slot.name ?? '';
    this.resetSlot(slot);
    this.sendStatus(streamId, 'error', code, description, { details: name });
    return true;
  }

  /** The publisher of a stream this player watches went away; the player stays subscribed. */
  notifyUnpublished(streamId: number): boolean {
    return this.notifyPlayer(streamId, 'streamEof', StatusCode.PlayUnpublishNotify, 'unpublished');
  }

  /** A publisher (re)appeared for a stream this player watches (also: a waiting play got its stream). */
  notifyPublished(streamId: number): boolean {
    return this.notifyPlayer(streamId, 'streamBegin', StatusCode.PlayPublishNotify, 'published');
  }

  /**
   * Server-side end of an accepted publish (kick, eviction by a newer publisher, drain): sends the
   * status (default NetStream.Unpublish.Success) and emits 'unpublish' with reason 'close'.
   * The client keeps its connection; the caller usually closes it afterwards.
   */
  endPublish(streamId: number, code: string = StatusCode.UnpublishSuccess, description?: string): boolean {
    const slot = this.slots.get(streamId);
    if (slot === undefined || (slot.state !== 'publishing' && slot.state !== 'publishPending')) return false;
    const name = slot.name ?? '';
    const wasPublishing = slot.state === 'publishing';
    this.resetSlot(slot);
    if (this.currentState === 'connected') {
      const level: StatusLevel = code === StatusCode.UnpublishSuccess ? 'status' : 'error';
      this.sendStatus(streamId, level, code, description ?? `${name} is now unpublished.`, { details: name });
    }
    if (wasPublishing) this.emit('unpublish', { streamId, name, reason: 'close' });
    return true;
  }

  /** onStatus(0, null, {level, code, description, ...extra}) on csid 8 and the stream's msid (0 = NetConnection, csid 3). */
  sendStatus(streamId: number, level: StatusLevel, code: string, description: string, extra?: AmfObject): void {
    if (this.currentState === 'closed') return;
    const csid = streamId === 0 ? SessionChunkStream.Command : SessionChunkStream.StreamStatus;
    this.sendMessage(onStatusMessage(statusInfo(level, code, description, extra), { csid, streamId, encoding: this.encoding }));
  }

  /** Enhanced RTMP v2 Reconnect Request; only for clients whose connect declared capsEx & 1. */
  requestReconnect(tcUrl?: string, description?: string): boolean {
    if (this.currentState !== 'connected' || this.connect === undefined) return false;
    if ((this.connect.capsEx & CapsEx.Reconnect) === 0) return false;
    const extra: AmfObject = {};
    if (tcUrl !== undefined) extra['tcUrl'] = tcUrl;
    const info: AmfObject = { level: 'status', code: StatusCode.ConnectReconnectRequest };
    if (description !== undefined) info['description'] = description;
    Object.assign(info, extra);
    this.sendMessage(onStatusMessage(info, { csid: SessionChunkStream.Command, streamId: 0, encoding: this.encoding }));
    return true;
  }

  /** The connection is gone: ends every publish/play (events with reason 'close'). Idempotent. */
  close(): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.queuedCommands = [];
    for (const slot of [...this.slots.values()]) this.endSlot(slot, 'close', false);
    this.slots.clear();
  }

  // ------------------------------------------------------------------------------------------
  // Internals
  // ------------------------------------------------------------------------------------------

  private sendResult(transactionId: number, commandObject: AmfValue = null, ...args: AmfValue[]): void {
    if (transactionId === 0) return; // GStreamer rtmp2 sends 0 and expects no answer
    this.sendCommand({ name: '_result', transactionId, commandObject, args });
  }

  /** The FC* commands: a _result, then the matching onFC* event naming the stream as sent. */
  private answerFc(transactionId: number, event: string, code: string, rawName: string): void {
    this.sendResult(transactionId);
    this.sendCommand({ name: event, transactionId: 0, commandObject: null, args: [{ code, description: rawName }] });
  }

  /** The slot of `streamId` if the session is connected and the slot is in `state` (a request it may answer). */
  private answerable(streamId: number, state: SessionStreamState): StreamSlot | undefined {
    const slot = this.slots.get(streamId);
    return this.currentState === 'connected' && slot?.state === state ? slot : undefined;
  }

  /** Tells a player its stream's publisher left or came (back): the user control event, then the status. */
  private notifyPlayer(streamId: number, event: 'streamEof' | 'streamBegin', code: string, what: string): boolean {
    const slot = this.answerable(streamId, 'playing');
    if (slot === undefined) return false;
    const name = slot.name ?? '';
    this.sendMessage(userControlMessage({ kind: event, streamId }));
    this.sendStatus(streamId, 'status', code, `${name} is now ${what}.`, { details: name });
    return true;
  }

  private refuseConnect(description: string, extra: AmfObject | undefined): boolean {
    const req = this.connect;
    if (this.currentState !== 'connecting' || req === undefined) return false;
    this.currentState = 'rejected';
    this.queuedCommands = [];
    const info = statusInfo('error', StatusCode.ConnectRejected, description, extra);
    this.sendCommand({ name: '_error', transactionId: req.transactionId, commandObject: null, args: [info] });
    return true;
  }

  protected override handleControl(msg: RtmpMessage, now: number | undefined): void {
    const ev = this.control.handle(msg, now);
    // Of the stream-level events only SetBufferLength means something from a client (a player's buffer).
    if (ev?.kind !== 'setBufferLength') return;
    const slot = this.slots.get(ev.streamId);
    if (slot !== undefined) slot.bufferMs = ev.bufferMs;
    this.emit('bufferLength', { streamId: ev.streamId, bufferMs: ev.bufferMs });
  }

  protected handleCommandMessage(msg: RtmpMessage): void {
    const cmd = decodeCommand(msg, this.limits);
    if (this.currentState === 'new') {
      if (cmd.name !== 'connect') throw violation(`'${cmd.name}' before connect`);
      this.handleConnect(cmd, msg);
      return;
    }
    if (this.currentState === 'connecting') {
      if (cmd.name === 'connect') throw violation('second connect while the first is pending');
      if (this.queuedCommands.length >= MAX_QUEUED_COMMANDS) {
        throw violation(`more than ${MAX_QUEUED_COMMANDS} commands before connect was answered`);
      }
      this.queuedCommands.push(msg);
      return;
    }
    if (this.currentState !== 'connected') return;
    this.handleCommand(cmd, msg.streamId);
  }

  private handleConnect(cmd: RtmpCommand, msg: RtmpMessage): void {
    const params = parseConnectParams(cmd.commandObject);
    const rawApp = params.app ?? '';
    const { name: app, query: appQuery } = parseConnectApp(rawApp, params.tcUrl);
    const req: ConnectRequest = {
      transactionId: cmd.transactionId,
      app,
      rawApp,
      appQuery,
      tcUrl: params.tcUrl,
      flashVer: params.flashVer,
      swfUrl: params.swfUrl,
      pageUrl: params.pageUrl,
      objectEncoding: params.objectEncoding,
      fourCcList: params.fourCcList,
      videoFourCcInfoMap: params.videoFourCcInfoMap,
      audioFourCcInfoMap: params.audioFourCcInfoMap,
      capsEx: params.capsEx,
      commandObject: params.raw,
      args: cmd.args,
      messageType: msg.type,
    };
    this.connect = req;
    this.encoding = params.objectEncoding;
    this.currentState = 'connecting';
    this.emit('connect', req);
  }

  private handleCommand(cmd: RtmpCommand, msgStreamId: number): void {
    switch (cmd.name) {
      case 'connect':
        throw violation('connect on an already connected session');
      case 'createStream':
        this.handleCreateStream(cmd);
        return;
      case 'publish':
        this.handlePublish(cmd, msgStreamId);
        return;
      case 'play':
        this.handlePlay(cmd, msgStreamId);
        return;
      case 'deleteStream': {
        const id = argNumber(cmd.args, 0) ?? msgStreamId;
        const slot = this.slots.get(id);
        if (slot === undefined) return;
        this.endSlot(slot, 'deleteStream', true);
        this.slots.delete(id);
        return;
      }
      case 'closeStream': {
        const slot = this.slots.get(msgStreamId);
        if (slot !== undefined) this.endSlot(slot, 'closeStream', true);
        return;
      }
      case '_result':
      case '_error':
        this.warn({ code: 'UNEXPECTED_RESULT', message: `${cmd.name} for transaction ${cmd.transactionId} ignored` });
        return;
      default:
        if (ANSWERED_COMMANDS.has(cmd.name)) {
          this.handleStreamNameCommand(cmd);
          return;
        }
        this.counters.unknownCommands++;
        this.emit('unknownCommand', { command: cmd, streamId: msgStreamId });
        if (cmd.transactionId !== 0) {
          this.sendCommand({
            name: '_error',
            transactionId: cmd.transactionId,
            commandObject: null,
            args: [statusInfo('error', StatusCode.CallFailed, `Method not found (${cmd.name}).`)],
          });
        }
    }
  }

  private handleStreamNameCommand(cmd: RtmpCommand): void {
    const rawName = argString(cmd.args, 0) ?? '';
    const name = parseStreamName(rawName).name;
    switch (cmd.name) {
      case 'FCPublish':
        // Some appliances wait for onFCPublish before they publish.
        this.answerFc(cmd.transactionId, 'onFCPublish', StatusCode.PublishStart, rawName);
        break;
      case 'FCUnpublish':
        for (const slot of this.slots.values()) {
          if ((slot.state === 'publishing' || slot.state === 'publishPending') && slot.name === name) {
            this.endSlot(slot, 'FCUnpublish', true);
          }
        }
        this.answerFc(cmd.transactionId, 'onFCUnpublish', StatusCode.UnpublishSuccess, rawName);
        break;
      case 'FCSubscribe':
        this.answerFc(cmd.transactionId, 'onFCSubscribe', StatusCode.PlayStart, rawName);
        break;
      case 'getStreamLength':
        // Live streams have no length; ffmpeg reads 0 as "unknown duration".
        this.sendResult(cmd.transactionId, null, 0);
        return;
      default: // releaseStream, _checkbw
        this.sendResult(cmd.transactionId);
        if (cmd.name === '_checkbw') return;
    }
    this.emit('streamCommand', { command: cmd.name, name, transactionId: cmd.transactionId });
  }

  private handleCreateStream(cmd: RtmpCommand): void {
    if (this.slots.size >= this.maxStreams) throw violation(`more than ${this.maxStreams} streams on one connection`);
    const id = this.nextStreamId++;
    this.slots.set(id, { id, state: 'idle', name: undefined, bufferMs: undefined, pendingMedia: [], pendingBytes: 0 });
    // createStream is always answered: the client cannot go on without the id.
    this.sendCommand({ name: '_result', transactionId: cmd.transactionId, commandObject: null, args: [id] });
  }

  private slotFor(command: string, streamId: number): StreamSlot {
    if (streamId === 0) throw violation(`${command} on message stream 0`);
    const slot = this.slots.get(streamId);
    if (slot === undefined) throw violation(`${command} on message stream ${streamId}, which createStream never returned`);
    return slot;
  }

  private handlePublish(cmd: RtmpCommand, streamId: number): void {
    const slot = this.slotFor('publish', streamId);
    if (slot.state !== 'idle') throw violation(`publish on message stream ${streamId}, which is ${slot.state}`);
    const typeArg = argString(cmd.args, 1);
    const publishType: PublishType = typeArg === 'record' || typeArg === 'append' ? typeArg : 'live';
    this.emit('publish', { ...this.openRequest(slot, 'publishPending', cmd), publishType });
  }

  private handlePlay(cmd: RtmpCommand, streamId: number): void {
    const slot = this.slotFor('play', streamId);
    if (slot.state === 'publishing' || slot.state === 'publishPending') {
      throw violation(`play on message stream ${streamId}, which is ${slot.state}`);
    }
    if (slot.state === 'playing' || slot.state === 'playPending') this.endSlot(slot, 'replay', false);
    const start = argNumber(cmd.args, 1) ?? -2;
    const resetArg = cmd.args[3];
    this.emit('play', {
      ...this.openRequest(slot, 'playPending', cmd),
      start,
      live: isLivePlayStart(start),
      duration: argNumber(cmd.args, 2) ?? -1,
      reset: typeof resetArg === 'boolean' ? resetArg : true,
    });
  }

  /** Puts the slot in `state` under the name the command asks for; returns what the request to the application carries. */
  private openRequest(slot: StreamSlot, state: 'publishPending' | 'playPending', cmd: RtmpCommand): SessionStreamRequest {
    const rawName = argString(cmd.args, 0) ?? '';
    const { name, query } = parseStreamName(rawName);
    const connect = this.connect as ConnectRequest;
    slot.state = state;
    slot.name = name;
    return {
      streamId: slot.id,
      transactionId: cmd.transactionId,
      name,
      rawName,
      query,
      app: connect.app,
      tcUrl: connect.tcUrl,
      appQuery: connect.appQuery,
    };
  }

  private resetSlot(slot: StreamSlot): void {
    slot.state = 'idle';
    slot.name = undefined;
    slot.pendingMedia = [];
    slot.pendingBytes = 0;
  }

  /** Ends whatever the slot does; emits at most one event; safe to repeat. */
  private endSlot(slot: StreamSlot, reason: StreamEndReason, sendStatus: boolean): void {
    const state = slot.state;
    const name = slot.name ?? '';
    this.resetSlot(slot);
    if (state === 'publishing') {
      if (sendStatus && this.currentState === 'connected') {
        this.sendStatus(slot.id, 'status', StatusCode.UnpublishSuccess, `${name} is now unpublished.`, { details: name });
      }
      this.emit('unpublish', { streamId: slot.id, name, reason });
    } else if (state === 'playing') {
      this.emit('stopPlay', { streamId: slot.id, name, reason });
    }
    // A pending publish/play just becomes idle: the application's later accept returns false.
  }

  protected handleMedia(msg: RtmpMessage): void {
    const slot = msg.streamId === 0 ? undefined : this.slots.get(msg.streamId);
    if (slot?.state === 'publishing') {
      this.dispatchPublished(slot, msg);
      return;
    }
    if (slot?.state === 'publishPending') {
      if (slot.pendingBytes + msg.payload.length > this.maxPendingMediaBytes) {
        this.counters.mediaPendingDropped++;
        if (this.isLogWorthy(this.counters.mediaPendingDropped)) {
          this.warn({
            code: 'MEDIA_PENDING_OVERFLOW',
            message: `media dropped while the publish waits for the application (${this.counters.mediaPendingDropped} so far)`,
            streamId: msg.streamId,
          });
        }
        return;
      }
      // ChunkDecoder never reuses an emitted payload's memory, so keeping the message is safe.
      slot.pendingMedia.push(msg);
      slot.pendingBytes += msg.payload.length;
      return;
    }
    this.counters.mediaIgnored++;
    if (this.isLogWorthy(this.counters.mediaIgnored)) {
      this.warn({
        code: 'MEDIA_ON_IDLE_STREAM',
        message: `media (type ${msg.type}) on message stream ${msg.streamId}, which is not publishing (${this.counters.mediaIgnored} ignored so far)`,
        streamId: msg.streamId,
      });
    }
  }

  /** Warn on the 1st, 2nd, 4th, 8th ... occurrence: visible, but a flood cannot flood the log. */
  private isLogWorthy(count: number): boolean {
    return (count & (count - 1)) === 0;
  }

  private dispatchPublished(slot: StreamSlot, msg: RtmpMessage): void {
    this.emitMedia(msg, slot.id);
  }
}

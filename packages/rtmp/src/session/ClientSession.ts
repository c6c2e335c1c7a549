import type { AmfObject, AmfValue } from '../amf/index.js';
import { commandMessage, decodeCommand, encodeData, isAmfObject, type RtmpCommand } from '../command.js';
import { RtmpError } from '../errors.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from '../message.js';
import { setChunkSizeMessage, windowAckSizeMessage } from '../messages/ProtocolControl.js';
import { userControlMessage } from '../messages/UserControl.js';
import { StatusCode } from './NetStatus.js';
import { DEFAULT_OUT_CHUNK_SIZE, DEFAULT_WINDOW_ACK_SIZE, SessionCore } from './SessionCore.js';
import {
  SessionChunkStream,
  type ClientConnectOptions,
  type ClientSessionEventMap,
  type ClientSessionOptions,
  type ClientSessionState,
  type ConnectResult,
  type MediaEvent,
  type PublishType,
} from './SessionTypes.js';

/** Outstanding transactions remembered for naming replies; the oldest is forgotten beyond this. */
const MAX_OUTSTANDING_TRANSACTIONS = 256;

function readString(obj: AmfObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

function asObject(v: AmfValue | undefined): AmfObject {
  return v !== undefined && isAmfObject(v) ? v : {};
}

/** Data messages meant for Flash players, not stream content. */
const PLAYER_ONLY_DATA = new Set(['|RtmpSampleAccess', 'onStatus']);

function notUsable(what: string, state: ClientSessionState): RtmpError {
  return new RtmpError('SESSION_PROTOCOL_VIOLATION', `${what} while the client session is ${state}`);
}

/**
 * Client side of one RTMP connection (edge relay, test and load clients), after the handshake.
 * Pure: no sockets, no timers. See README.md in this directory.
 */
export class ClientSession extends SessionCore<ClientSessionEventMap> {
  private readonly configuredOutChunkSize: number;
  private readonly windowAckSize: number;

  private result: ConnectResult | undefined;
  private nextTransactionId = 1;
  private readonly outstanding = new Map<number, string>();

  constructor(options: ClientSessionOptions) {
    // No acks until the server announces its window (it always does, right after connect).
    super({ send: options.send, limits: options.limits, initialAckWindow: 0 });
    this.configuredOutChunkSize = options.outChunkSize ?? DEFAULT_OUT_CHUNK_SIZE;
    this.windowAckSize = options.windowAckSize ?? DEFAULT_WINDOW_ACK_SIZE;
  }

  get connectResult(): ConnectResult | undefined {
    return this.result;
  }

  // ------------------------------------------------------------------------------------------
  // Input (SessionCore.handleMessage routes each message here; only undecodable commands throw)
  // ------------------------------------------------------------------------------------------

  protected handleCommandMessage(msg: RtmpMessage): void {
    this.handleCommand(decodeCommand(msg, this.limits), msg.streamId);
  }

  protected handleMedia(msg: RtmpMessage): void {
    this.emitMedia(msg, msg.streamId);
  }

  protected override wantsData(data: MediaEvent): boolean {
    return !PLAYER_ONLY_DATA.has(data.handler ?? '');
  }

  // ------------------------------------------------------------------------------------------
  // Commands
  // ------------------------------------------------------------------------------------------

  /** Sends connect (always type 20, conf 37); returns its transaction id. */
  connect(opts: ClientConnectOptions): number {
    if (this.currentState !== 'new') throw notUsable('connect', this.currentState);
    this.currentState = 'connecting';
    const obj: AmfObject = {
      app: opts.app,
      type: 'nonprivate',
      flashVer: opts.flashVer ?? 'FMLE/3.0 (compatible; rtmp-cluster)',
    };
    if (opts.tcUrl !== undefined) obj['tcUrl'] = opts.tcUrl;
    obj['fpad'] = false;
    obj['capabilities'] = 15;
    obj['audioCodecs'] = 0x0fff;
    obj['videoCodecs'] = 0x00ff;
    obj['videoFunction'] = 1;
    obj['objectEncoding'] = opts.objectEncoding ?? 0;
    if (opts.fourCcList !== undefined) obj['fourCcList'] = [...opts.fourCcList];
    if (opts.videoFourCcInfoMap !== undefined) obj['videoFourCcInfoMap'] = { ...opts.videoFourCcInfoMap };
    if (opts.audioFourCcInfoMap !== undefined) obj['audioFourCcInfoMap'] = { ...opts.audioFourCcInfoMap };
    if (opts.capsEx !== undefined) obj['capsEx'] = opts.capsEx;
    Object.assign(obj, opts.extra);
    const txn = this.track('connect');
    this.sendMessage(commandMessage({ name: 'connect', transactionId: txn, commandObject: obj, args: opts.args ?? [] }, { csid: SessionChunkStream.Command }));
    return txn;
  }

  createStream(): number {
    return this.call('createStream');
  }

  releaseStream(name: string): number {
    return this.call('releaseStream', null, [name]);
  }

  fcPublish(name: string): number {
    return this.call('FCPublish', null, [name]);
  }

  fcUnpublish(name: string): number {
    return this.call('FCUnpublish', null, [name]);
  }

  /** Generic NetConnection call on message stream 0; returns the transaction id (replies: 'commandReply'). */
  call(name: string, commandObject: AmfValue = null, args: AmfValue[] = []): number {
    this.requireConnected(name);
    const txn = this.track(name);
    this.sendCommand({ name, transactionId: txn, commandObject, args }, 0);
    return txn;
  }

  /** play(name, start, duration, reset) on the stream; start -2 (live, else recorded) unless given. */
  play(streamId: number, name: string, opts: { start?: number; duration?: number; reset?: boolean } = {}): void {
    this.requireConnected('play');
    const args: AmfValue[] = [name, opts.start ?? -2];
    if (opts.duration !== undefined || opts.reset !== undefined) args.push(opts.duration ?? -1);
    if (opts.reset !== undefined) args.push(opts.reset);
    this.sendCommand({ name: 'play', transactionId: 0, commandObject: null, args }, streamId);
  }

  /** Announces our outbound chunk size (once), then publish(name, type). */
  publish(streamId: number, name: string, type: PublishType = 'live'): void {
    this.requireConnected('publish');
    this.announceOutChunkSize();
    this.sendCommand({ name: 'publish', transactionId: 0, commandObject: null, args: [name, type] }, streamId);
  }

  /** Audio on csid 4, video on csid 6, data on csid 5 (conventional media chunk streams). */
  sendMedia(streamId: number, type: number, timestamp: number, payload: Buffer): void {
    if (this.currentState !== 'connected') return;
    const csid = type === MessageType.Audio ? ChunkStreamId.Audio : type === MessageType.Video ? ChunkStreamId.Video : ChunkStreamId.Data;
    this.sendMessage({ csid, type, timestamp: timestamp >>> 0, streamId, payload });
  }

  /** ['@setDataFrame', 'onMetaData', metadata] as the server expects from a publisher. */
  sendMetadata(streamId: number, metadata: AmfObject, timestamp = 0): void {
    this.sendMedia(streamId, MessageType.DataAmf0, timestamp, encodeData(['@setDataFrame', 'onMetaData', metadata]));
  }

  setBufferLength(streamId: number, bufferMs: number): void {
    if (this.currentState === 'closed') return;
    this.sendMessage(userControlMessage({ kind: 'setBufferLength', streamId, bufferMs }));
  }

  closeStream(streamId: number): void {
    if (this.currentState !== 'connected') return;
    this.sendCommand({ name: 'closeStream', transactionId: 0, commandObject: null, args: [] }, streamId);
  }

  deleteStream(streamId: number): void {
    if (this.currentState !== 'connected') return;
    this.sendCommand({ name: 'deleteStream', transactionId: 0, commandObject: null, args: [streamId] }, 0);
  }

  /** The connection is gone; later calls are no-ops (handleMessage ignores input). */
  close(): void {
    this.currentState = 'closed';
    this.outstanding.clear();
  }

  // ------------------------------------------------------------------------------------------
  // Internals
  // ------------------------------------------------------------------------------------------

  private requireConnected(what: string): void {
    if (this.currentState !== 'connected') throw notUsable(what, this.currentState);
  }

  private track(name: string): number {
    const txn = this.nextTransactionId++;
    if (this.outstanding.size >= MAX_OUTSTANDING_TRANSACTIONS) {
      const oldest = this.outstanding.keys().next().value;
      if (oldest !== undefined) this.outstanding.delete(oldest);
    }
    this.outstanding.set(txn, name);
    return txn;
  }

  private announceOutChunkSize(): void {
    if (this.currentOutChunkSize === this.configuredOutChunkSize) return;
    this.sendMessage(setChunkSizeMessage(this.configuredOutChunkSize));
    this.currentOutChunkSize = this.configuredOutChunkSize;
    this.emit('outChunkSize', this.currentOutChunkSize);
  }

  private handleCommand(cmd: RtmpCommand, streamId: number): void {
    switch (cmd.name) {
      case '_result':
      case '_error':
        this.handleReply(cmd, cmd.name === '_result');
        return;
      case 'onStatus': {
        const info = asObject(cmd.args[0]);
        const code = readString(info, 'code') ?? '';
        if (code === StatusCode.ConnectReconnectRequest) {
          this.emit('reconnectRequest', { tcUrl: readString(info, 'tcUrl'), description: readString(info, 'description') });
          return;
        }
        this.emit('status', {
          streamId,
          level: readString(info, 'level') ?? '',
          code,
          description: readString(info, 'description') ?? '',
          info,
        });
        return;
      }
      default:
        this.emit('serverCommand', { command: cmd, streamId });
    }
  }

  private handleReply(cmd: RtmpCommand, ok: boolean): void {
    const name = this.outstanding.get(cmd.transactionId);
    if (name === undefined) {
      this.warn({ code: 'UNEXPECTED_RESULT', message: `${cmd.name} for unknown transaction ${cmd.transactionId}` });
      return;
    }
    this.outstanding.delete(cmd.transactionId);
    if (name === 'connect') {
      const properties = asObject(cmd.commandObject);
      const info = asObject(cmd.args[0]);
      if (ok && this.currentState === 'connecting') {
        this.encoding = info['objectEncoding'] === 3 ? 3 : 0;
        const capsEx = properties['capsEx'];
        const fourCcList = properties['fourCcList'];
        this.result = {
          properties,
          info,
          objectEncoding: this.encoding,
          capsEx: typeof capsEx === 'number' ? capsEx : undefined,
          fourCcList: Array.isArray(fourCcList) ? fourCcList.filter((v): v is string => typeof v === 'string') : undefined,
        };
        this.currentState = 'connected';
        if (this.windowAckSize > 0) this.sendMessage(windowAckSizeMessage(this.windowAckSize));
        this.emit('connected', this.result);
      } else if (!ok && this.currentState === 'connecting') {
        this.currentState = 'rejected';
        const ex = asObject(info['ex']);
        this.emit('connectRejected', {
          code: readString(info, 'code') ?? '',
          description: readString(info, 'description') ?? '',
          info,
          redirect: ex['code'] === 302 ? readString(ex, 'redirect') : undefined,
        });
      }
      return;
    }
    if (name === 'createStream' && ok && typeof cmd.args[0] === 'number') {
      this.emit('streamCreated', { transactionId: cmd.transactionId, streamId: cmd.args[0] });
      return;
    }
    this.emit('commandReply', {
      command: name,
      transactionId: cmd.transactionId,
      ok,
      commandObject: cmd.commandObject,
      args: cmd.args,
    });
  }
}

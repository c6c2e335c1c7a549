import { TypedEmitter } from '@rtmp-cluster/core';
import { commandMessage, type RtmpCommand } from '../command.js';
import { MessageType, type ProtocolLimits, type RtmpMessage } from '../message.js';
import { splitAggregate } from '../messages/Aggregate.js';
import { mediaEventOf, mediaKindOf } from './DataMessage.js';
import { PeerControl } from './PeerControl.js';
import {
  SessionChunkStream,
  type MediaEvent,
  type ObjectEncoding,
  type SessionEventMap,
  type SessionState,
  type SessionWarning,
} from './SessionTypes.js';

/** Defaults both sides of a session announce after connect unless configured: one value for client and server. */
export const DEFAULT_OUT_CHUNK_SIZE = 4096;
export const DEFAULT_WINDOW_ACK_SIZE = 2_500_000;

export interface SessionCoreOptions {
  send: (msg: RtmpMessage) => void;
  limits: Partial<ProtocolLimits> | undefined;
  /** Window to acknowledge on until the peer announces its own (0: no acks until then). */
  initialAckWindow: number;
}

/**
 * What the server and the client side of a session do alike: route each incoming message by type,
 * keep the peer's protocol control state (PeerControl), send commands, and turn media messages into
 * decoded events (aggregates split, data messages interpreted once). Subclasses decide what commands
 * mean and which message streams media may arrive on.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the emitter's map constraint is Record<keyof T, any[]>
export abstract class SessionCore<Events extends SessionEventMap & Record<keyof Events, any[]>> extends TypedEmitter<Events> {
  protected readonly sendMessage: (msg: RtmpMessage) => void;
  protected readonly limits: Partial<ProtocolLimits> | undefined;
  protected readonly control: PeerControl;
  protected currentState: SessionState = 'new';
  protected encoding: ObjectEncoding = 0;
  protected currentOutChunkSize = 128;

  constructor(options: SessionCoreOptions) {
    super();
    this.sendMessage = options.send;
    this.limits = options.limits;
    this.control = new PeerControl({
      send: this.sendMessage,
      warn: (w) => this.warn(w),
      onRtt: (ms) => this.emitCore('rtt', ms),
      initialAckWindow: options.initialAckWindow,
    });
  }

  get state(): SessionState {
    return this.currentState;
  }
  get objectEncoding(): ObjectEncoding {
    return this.encoding;
  }
  get outChunkSize(): number {
    return this.currentOutChunkSize;
  }
  get peerChunkSize(): number {
    return this.control.peerChunkSize;
  }
  get peerWindowAckSize(): number | undefined {
    return this.control.peerWindowAckSize;
  }
  get peerBandwidth(): { size: number; limitType: number } | undefined {
    return this.control.peerBandwidth;
  }
  get rttMs(): number | undefined {
    return this.control.rttMs;
  }
  get pendingPingSince(): number | undefined {
    return this.control.pendingPingSince;
  }

  /**
   * Feeds one decoded message. Throws RtmpError for what makes the session unusable (an undecodable
   * command or aggregate, and on the server side illegal sequences); the caller then closes the connection.
   * After close() every message is ignored.
   */
  handleMessage(msg: RtmpMessage, now?: number): void {
    if (!this.acceptsInput) return;
    switch (msg.type) {
      case MessageType.SetChunkSize:
      case MessageType.Abort:
      case MessageType.Acknowledgement:
      case MessageType.WindowAckSize:
      case MessageType.SetPeerBandwidth:
      case MessageType.UserControl:
        this.handleControl(msg, now);
        return;
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        this.handleCommandMessage(msg);
        return;
      case MessageType.Audio:
      case MessageType.Video:
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        this.handleMedia(msg);
        return;
      case MessageType.Aggregate:
        for (const sub of splitAggregate(msg, this.limits)) {
          if (mediaKindOf(sub.type) === undefined) {
            this.warn({ code: 'MESSAGE_IGNORED', message: `aggregate sub-message type ${sub.type} ignored`, streamId: msg.streamId });
          } else {
            this.handleMedia(sub);
          }
        }
        return;
      default:
        this.warn({ code: 'MESSAGE_IGNORED', message: `message type ${msg.type} ignored`, streamId: msg.streamId });
    }
  }

  /** Total bytes received so far; sends an Acknowledgement whenever a window completed. */
  onBytesReceived(totalBytes: number): void {
    if (this.currentState === 'closed') return;
    this.control.onBytesReceived(totalBytes);
  }

  /** Sends a PingRequest stamped with `now` (uint32); the PingResponse yields rttMs. */
  ping(now: number): void {
    if (this.currentState === 'closed') return;
    this.control.ping(now);
  }

  /** false: incoming messages are ignored */
  protected get acceptsInput(): boolean {
    return this.currentState !== 'closed';
  }

  /** Protocol and user control messages; the default only keeps the peer's control state. */
  protected handleControl(msg: RtmpMessage, now: number | undefined): void {
    this.control.handle(msg, now);
  }

  protected abstract handleCommandMessage(msg: RtmpMessage): void;

  /** One audio, video or data message (never an aggregate). */
  protected abstract handleMedia(msg: RtmpMessage): void;

  protected warn(w: SessionWarning): void {
    this.emitCore('warning', w);
  }

  /** Commands on message stream 0 go on the NetConnection chunk stream, the others on the stream status one. */
  protected sendCommand(cmd: RtmpCommand, streamId = 0): void {
    const csid = streamId === 0 ? SessionChunkStream.Command : SessionChunkStream.StreamStatus;
    this.sendMessage(commandMessage(cmd, { csid, streamId, encoding: this.encoding }));
  }

  /** Emits one media message of message stream `streamId` as a 'media' or 'metadata' event (see mediaEventOf). */
  protected emitMedia(msg: RtmpMessage, streamId: number): void {
    const ev = mediaEventOf(msg, streamId, this.limits);
    if (ev.kind === 'dropped') {
      if (ev.reason !== undefined) this.warn({ code: 'MESSAGE_IGNORED', message: ev.reason, streamId });
    } else if (ev.kind === 'metadata') {
      this.emitCore('metadata', ev);
    } else if (ev.kind !== 'data' || this.wantsData(ev)) {
      this.emitCore('media', ev);
    }
  }

  /** false: a data message this end does not hand on */
  protected wantsData(_data: MediaEvent): boolean {
    return true;
  }

  /** emit() for the events every session has (the emitter's typing cannot see them through `Events`). */
  private emitCore<K extends keyof SessionEventMap>(event: K, ...args: SessionEventMap[K]): void {
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }
}

import { RtmpError } from '../errors.js';
import { MessageType, type RtmpMessage } from '../message.js';
import { acknowledgementMessage, parseProtocolControl, type ProtocolControl } from '../messages/ProtocolControl.js';
import { parseUserControl, userControlMessage, type UserControlEvent } from '../messages/UserControl.js';
import { AckCounter } from './AckCounter.js';
import type { SessionWarning } from './SessionTypes.js';

export interface PeerControlOptions {
  send: (msg: RtmpMessage) => void;
  warn: (w: SessionWarning) => void;
  onRtt: (ms: number) => void;
  /** Window to acknowledge on until the peer announces its own (0: no acks until then). */
  initialAckWindow: number;
}

/**
 * The connection-level bookkeeping both ends of an RTMP session do the same
 * way: protocol control (types 1, 2, 3, 5, 6), Acknowledgements owed for the
 * peer's window, answering PingRequests and timing our own pings. The server
 * and client sessions own one each and only add what differs (stream-level
 * user control events).
 */
export class PeerControl {
  private readonly ack: AckCounter;
  peerChunkSize = 128;
  peerWindowAckSize: number | undefined;
  peerBandwidth: { size: number; limitType: number } | undefined;
  rttMs: number | undefined;
  /** `now` of the oldest unanswered ping we sent */
  pendingPingSince: number | undefined;
  acknowledgementsSent = 0;
  lastAcknowledgementReceived: number | undefined;

  constructor(private readonly options: PeerControlOptions) {
    this.ack = new AckCounter(options.initialAckWindow);
  }

  /**
   * Handles a protocol control (types 1, 2, 3, 5, 6) or user control (type 4)
   * message. Returns the user control events that concern message streams
   * (StreamBegin, SetBufferLength...) for the session to interpret; undefined
   * when nothing is left to do. A malformed control message is a warning,
   * never a disconnect.
   */
  handle(msg: RtmpMessage, now: number | undefined): UserControlEvent | undefined {
    if (msg.type === MessageType.UserControl) {
      const ev = this.parse(parseUserControl, msg);
      return ev === undefined ? undefined : this.handleUserControl(ev, now);
    }
    const pc = this.parse(parseProtocolControl, msg);
    if (pc !== undefined) this.handleProtocolControl(pc);
    return undefined;
  }

  /** Total bytes received so far; sends an Acknowledgement whenever a window completed. */
  onBytesReceived(totalBytes: number): void {
    const seq = this.ack.update(totalBytes);
    if (seq === undefined) return;
    this.acknowledgementsSent++;
    this.options.send(acknowledgementMessage(seq));
  }

  /** Sends a PingRequest stamped with `now` (uint32); the PingResponse yields rttMs. */
  ping(now: number): void {
    if (this.pendingPingSince === undefined) this.pendingPingSince = now;
    this.options.send(userControlMessage({ kind: 'pingRequest', timestamp: now >>> 0 }));
  }

  private parse<T>(parser: (msg: RtmpMessage) => T, msg: RtmpMessage): T | undefined {
    try {
      return parser(msg);
    } catch (err) {
      if (!(err instanceof RtmpError)) throw err;
      this.options.warn({ code: 'CONTROL_MALFORMED', message: err.message });
      return undefined;
    }
  }

  private handleProtocolControl(pc: ProtocolControl): void {
    switch (pc.kind) {
      case 'setChunkSize':
        this.peerChunkSize = pc.size; // the ChunkDecoder already switched
        return;
      case 'abort':
        return; // the ChunkDecoder already dropped the partial message
      case 'acknowledgement':
        // Only recorded: nothing ever waits for the peer's acks.
        this.lastAcknowledgementReceived = pc.sequence;
        return;
      case 'windowAckSize':
        // RTMP 5.4.4: the peer tells us how often IT wants to be acknowledged.
        this.peerWindowAckSize = pc.size;
        this.ack.setWindow(pc.size);
        return;
      case 'setPeerBandwidth':
        this.peerBandwidth = { size: pc.size, limitType: pc.limitType };
        return;
    }
  }

  private handleUserControl(ev: UserControlEvent, now: number | undefined): UserControlEvent | undefined {
    if (ev.kind === 'pingRequest') {
      this.options.send(userControlMessage({ kind: 'pingResponse', timestamp: ev.timestamp }));
      return undefined;
    }
    if (ev.kind !== 'pingResponse') return ev;
    this.pendingPingSince = undefined;
    if (now === undefined) return undefined;
    const rtt = ((now >>> 0) - ev.timestamp) >>> 0;
    // A response to a ping stamped on another clock would read as a huge RTT; ignore it.
    if (rtt > 0x7fffffff) return undefined;
    this.rttMs = rtt;
    this.options.onRtt(rtt);
    return undefined;
  }
}

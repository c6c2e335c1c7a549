import { CodedError, type Logger } from '@rtmp-cluster/core';
import type { RtmpErrorCode } from '@rtmp-cluster/rtmp';

/**
 * Why the server closed (or lost) a connection. Stable codes: logs, metrics and tests match on them.
 * PROTOCOL_ERROR carries the RtmpError code that caused it in `errorCode`.
 */
export type ConnectionCloseReason =
  | 'PEER_CLOSED' // the client closed the socket after the handshake
  | 'HANDSHAKE_INCOMPLETE' // the client closed the socket in the middle of the handshake
  | 'SOCKET_ERROR' // ECONNRESET, EPIPE, ...
  | 'HANDSHAKE_TIMEOUT' // the handshake did not finish in time (slowloris)
  | 'IDLE_TIMEOUT' // neither published nor played for the idle timeout, or a publisher sent no media that long
  | 'PING_TIMEOUT' // a ping stayed unanswered for too long (zombie peer, paused reader)
  | 'MAX_CONNECTIONS' // refused at accept: the server is full
  | 'MAX_CONNECTIONS_PER_IP' // refused at accept: too many open connections from this address
  | 'CONNECTION_RATE_LIMITED' // refused at accept: this address opens connections too fast
  | 'PROXY_PROTOCOL_ERROR' // refused before RTMP: a PROXY header from an untrusted peer, a missing one where required, or a malformed one (errorCode)
  | 'MEMORY_BUDGET' // refused at accept, or closed as one of the largest holders: the node is at its memory budget
  | 'MAX_PUBLISHERS' // a publish was refused because the server has its maximum of publishers
  | 'ACCESS_DENIED' // the access policy refused a publish or play and asked to close the connection
  | 'OUTPUT_OVERFLOW' // the peer does not read: more than maxPendingOutputBytes queued for it
  | 'PROTOCOL_ERROR' // the peer violated the protocol (see errorCode)
  | 'CONNECT_REJECTED' // the connect command was refused
  | 'PUBLISH_TAKEN_OVER' // another publisher took the stream over ('takeover' policy)
  | 'KICKED' // an operator or the cluster kicked the connection
  | 'SERVER_SHUTDOWN' // the server is draining or closing
  | 'INTERNAL_ERROR'; // a bug on our side, contained to this connection

export type ConnectionRole = 'none' | 'publisher' | 'player';

export interface ConnectionClosedEvent {
  connId: string;
  remoteAddress: string;
  reason: ConnectionCloseReason;
  /** RtmpError code for PROTOCOL_ERROR, the system error code (ECONNRESET) for SOCKET_ERROR */
  errorCode: RtmpErrorCode | string | undefined;
  message: string;
  /** 'handshake' when it never got past the handshake */
  phase: 'handshake' | 'session';
  role: ConnectionRole;
  /** stream keys the connection published or played */
  streams: string[];
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}

/** Connection-level failure raised inside the server (not by the protocol layer). */
export class ConnectionError extends CodedError<ConnectionCloseReason> {
  override readonly name = 'ConnectionError';
  readonly domain = 'server';
  constructor(
    readonly reason: ConnectionCloseReason,
    message: string,
    readonly errorCode?: string,
  ) {
    super(reason, message);
  }
}

/**
 * The close log line: peers leaving and draining are normal (info); TCP health checks of load balancers
 * connect and close without a byte (debug: not worth a warning); everything else is a warning naming the
 * reason and its error code.
 */
export function logConnectionClosed(log: Logger, event: ConnectionClosedEvent): void {
  const { reason, errorCode, message, phase, role, streams, bytesIn, bytesOut } = event;
  const fields = { reason, errorCode, phase, role, streams, bytesIn, bytesOut };
  if (reason === 'HANDSHAKE_INCOMPLETE' && bytesIn === 0) log.debug(fields, `connection closed: ${message}`);
  else if (reason === 'PEER_CLOSED' || reason === 'SERVER_SHUTDOWN') log.info(fields, `connection closed: ${message}`);
  else log.warn(fields, `connection closed: ${reason}${errorCode ? ` (${errorCode})` : ''}: ${message}`);
}

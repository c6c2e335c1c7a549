import type net from 'node:net';
import type tls from 'node:tls';
import type { FourCcSupport, ServerSession } from '@rtmp-cluster/rtmp';
import type { StreamHub } from '@rtmp-cluster/media';
import type { Logger } from '@rtmp-cluster/core';
import type { ConnectionCloseReason, ConnectionClosedEvent, ConnectionRole } from './ConnectionClose.js';
import type { ResolvedServerOptions } from './ServerOptions.js';

export type RtmpSocket = net.Socket | tls.TLSSocket;

export interface ConnectionInfo {
  connId: string;
  remoteAddress: string;
  /** the connection came in over TLS (RTMPS) */
  secure: boolean;
  phase: 'handshake' | 'session';
  role: ConnectionRole;
  app: string | undefined;
  publishing: string[];
  playing: string[];
  bytesIn: number;
  bytesOut: number;
  /** bytes written to the socket but not yet taken by the kernel (the paused-reader backlog) */
  pendingBytes: number;
  rttMs: number | undefined;
  connectedForMs: number;
}

/** What a connection needs from the server that accepted it. */
export interface ConnectionHost {
  readonly options: ResolvedServerOptions;
  readonly hub: StreamHub;
  /** called once, when the connection is closed (bookkeeping, the connectionClosed event) */
  connectionClosed(conn: ConnectionIdentity, event: ConnectionClosedEvent): void;
  /** false when the server already has its maximum of publishers (absent: no limit) */
  publishAllowed?(): boolean;
  /** a publish or play asks the policy: false (nothing counted) when the node already waits for its maximum of answers */
  decisionStarted?(): boolean;
  /** a decision decisionStarted counted was answered (or failed) */
  decisionEnded?(): void;
  /** a publish or play was refused without asking the policy (too many pending on the connection or the node) */
  decisionShed?(): void;
  /** the bytes of messages the connection is reassembling changed by `delta` (the node's memory budget) */
  partialBytesChanged?(delta: number): void;
}

/** The identity of a connection its host keys its bookkeeping on. */
export interface ConnectionIdentity {
  readonly connId: string;
  readonly clientIp: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface RtmpConnectionOptions {
  /** the socket is a TLS socket (RTMPS) */
  secure?: boolean;
  /** the client's IP (normalized); default the socket's remoteAddress */
  clientIp?: string;
  /** the client's 'ip:port' when a trusted proxy named it (PROXY protocol); default the socket's */
  remoteAddress?: string;
  /** 'ip:port' of the proxy the connection came through (logged beside the client's) */
  proxiedBy?: string;
}

/**
 * What the parts of one connection (its publishes, its plays, its access gate) use of the connection. They
 * never touch the socket: they talk to the session, the hub and the policy, and close through here.
 */
export interface ConnectionContext {
  readonly connId: string;
  /** 'ip:port' of the peer as the socket reports it */
  readonly remoteAddress: string;
  /** the peer's IP without the port (per-address limits, the access policy) */
  readonly clientIp: string;
  /** the connection came in over TLS */
  readonly secure: boolean;
  /**
   * The codecs the client's connect declared in its Enhanced RTMP fourCcList: as a player it gets no tags of
   * codecs it did not declare, and H.264/AAC as legacy tags unless it declared them (see PlayerTag).
   */
  readonly fourCcs: FourCcSupport;
  readonly session: ServerSession;
  readonly host: ConnectionHost;
  /** the connection's logger (with its app once connected) */
  readonly log: Logger;
  /** A logger for one of its streams: the connection's bindings and `bindings`, one level below the server's. */
  streamLog(bindings: Record<string, unknown>): Logger;
  readonly isClosed: boolean;
  /** Runs `fn`; anything it throws closes the connection with a precise reason. */
  guard(fn: () => void): void;
  close(reason: ConnectionCloseReason, message: string, errorCode?: string, graceful?: boolean): void;
  /** A publish or play started on `key` (kept for the close log and the connectionClosed event). */
  streamStarted(role: 'publisher' | 'player', key: string): void;
}

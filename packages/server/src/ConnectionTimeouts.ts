/**
 * The clock side of a connection: how long the handshake may take, when a connection is idle, when a ping
 * is due and when an unanswered one ends the connection. Pure: the server's sweep calls check() with the
 * monotonic clock and the connection acts on the verdict.
 *
 * Idle means "not doing what an RTMP server is for", not "silent": a peer that answers pings and acknowledges
 * bytes forever, but never publishes or plays, is idle, and so is a publisher that stopped sending media.
 * Players may be silent for hours (they only receive); they are pinged instead.
 */
import type { ConnectionCloseReason, ConnectionRole } from './ConnectionClose.js';

/** Monotonic milliseconds (the session's `now`, timeouts). */
export function monotonicMs(): number {
  return Math.floor(performance.now());
}

export interface ConnectionTimeoutOptions {
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  /** 0: no pings */
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

/** What the connection is doing, as far as its timeouts care. */
export interface ConnectionActivity {
  phase: 'handshake' | 'session';
  /** monotonic ms of the ping still unanswered, if any */
  pendingPingSince: number | undefined;
  /** publishing, playing (or waiting to play), or neither */
  role: ConnectionRole;
  /** media messages received so far from a publisher (any counter that moves when media arrives) */
  mediaMessages: number;
  /** access decisions the policy has not answered yet: a connection waiting for one gets one more idle period */
  pendingDecisions: number;
  /** the session is connected: pings can be sent */
  canPing: boolean;
}

export type TimeoutVerdict =
  | { action: 'close'; reason: ConnectionCloseReason; message: string }
  | { action: 'ping' }
  | { action: 'none' };

const NONE: TimeoutVerdict = { action: 'none' };

export class ConnectionTimeouts {
  private lastInputAt: number;
  private lastPingAt: number;
  /** when the connection last did something that counts: opened, changed role, or (publisher) got media */
  private activeAt: number;
  private role: ConnectionRole = 'none';
  private mediaMessages = 0;

  constructor(
    private readonly openedAt: number,
    private readonly options: ConnectionTimeoutOptions,
  ) {
    this.lastInputAt = openedAt;
    this.lastPingAt = openedAt;
    this.activeAt = openedAt;
  }

  /** Bytes arrived from the peer at `now` (any bytes: an answered ping proves the peer is there, not that it is busy). */
  input(now: number): void {
    this.lastInputAt = now;
  }

  check(now: number, activity: ConnectionActivity): TimeoutVerdict {
    const o = this.options;
    if (activity.phase === 'handshake') {
      if (now - this.openedAt < o.handshakeTimeoutMs) return NONE;
      return { action: 'close', reason: 'HANDSHAKE_TIMEOUT', message: `handshake not finished after ${o.handshakeTimeoutMs} ms` };
    }
    const silentFor = now - this.lastInputAt;
    const pingSince = activity.pendingPingSince;
    if (pingSince !== undefined && now - pingSince >= o.pingTimeoutMs && silentFor >= o.pingTimeoutMs) {
      return { action: 'close', reason: 'PING_TIMEOUT', message: `no answer to a ping for ${now - pingSince} ms` };
    }
    const idle = this.idleVerdict(now, activity);
    if (idle !== undefined) return idle;
    if (o.pingIntervalMs > 0 && activity.canPing && now - this.lastPingAt >= o.pingIntervalMs) {
      this.lastPingAt = now;
      return { action: 'ping' };
    }
    return NONE;
  }

  private idleVerdict(now: number, activity: ConnectionActivity): TimeoutVerdict | undefined {
    // Sampled at the sweep: media arriving between two checks counts as activity at the second one (the hot
    // path only bumps a counter).
    if (activity.role !== this.role || activity.mediaMessages !== this.mediaMessages) {
      this.role = activity.role;
      this.mediaMessages = activity.mediaMessages;
      this.activeAt = now;
      return undefined;
    }
    if (activity.role === 'player') return undefined;
    const idleFor = now - this.activeAt;
    const limit = this.options.idleTimeoutMs * (activity.role === 'none' && activity.pendingDecisions > 0 ? 2 : 1);
    if (idleFor < limit) return undefined;
    const message =
      activity.role === 'publisher' ? `publisher sent no media for ${idleFor} ms` : `neither publishing nor playing for ${idleFor} ms`;
    return { action: 'close', reason: 'IDLE_TIMEOUT', message };
  }
}

/**
 * The clock side of a connection: how long the handshake may take, when a silent peer is idle, when a ping
 * is due and when an unanswered one ends the connection. Pure: the server's sweep calls check() with the
 * monotonic clock and the connection acts on the verdict.
 */
import type { ConnectionCloseReason } from './ConnectionClose.js';

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
  /** players may legitimately send nothing for a long time (they are pinged instead); a pending access decision is work too */
  mayBeSilent: boolean;
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

  constructor(
    private readonly openedAt: number,
    private readonly options: ConnectionTimeoutOptions,
  ) {
    this.lastInputAt = openedAt;
    this.lastPingAt = openedAt;
  }

  /** Bytes arrived from the peer at `now`. */
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
    if (!activity.mayBeSilent && silentFor >= o.idleTimeoutMs) {
      return { action: 'close', reason: 'IDLE_TIMEOUT', message: `no input for ${silentFor} ms` };
    }
    if (o.pingIntervalMs > 0 && activity.canPing && now - this.lastPingAt >= o.pingIntervalMs) {
      this.lastPingAt = now;
      return { action: 'ping' };
    }
    return NONE;
  }
}

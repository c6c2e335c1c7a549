/**
 * Who may connect, and who may publish: the server-wide and per-address connection limits, the per-address
 * connection rate, and the publisher limit. Counts what it admitted until release(); counts and logs what it
 * refused (at most one log line per reason and second: a flood is refused thousands of times a second).
 */
import type { Logger } from '@rtmp-cluster/core';
import type { ConnectionCloseReason } from './ConnectionClose.js';
import { ConnectionRateLimiter } from './ConnectionRateLimiter.js';

/** Why a socket was refused at accept. */
export type AdmissionRefusal = Extract<
  ConnectionCloseReason,
  'SERVER_SHUTDOWN' | 'CONNECTION_RATE_LIMITED' | 'MAX_CONNECTIONS' | 'MAX_CONNECTIONS_PER_IP' | 'MEMORY_BUDGET'
>;

export interface AdmissionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  connectionRatePerIp: number;
  connectionBurstPerIp: number;
  maxPublishers: number;
}

export interface AdmissionCounts {
  /** connections admitted */
  connectionsAccepted: number;
  /** connections refused at accept (server full, per-address limit, rate limit, shutting down) */
  connectionsRefused: number;
  /** publishes refused because the server had maxPublishers streams */
  publishesRefused: number;
}

/** How often the rate limiter forgets addresses whose bucket is full again. */
const PRUNE_INTERVAL_MS = 10_000;

export class ConnectionAdmission {
  private accepting = true;
  private open = 0;
  /** open connections per client IP (for maxConnectionsPerIp) */
  private readonly perIp = new Map<string, number>();
  private readonly rateLimiter: ConnectionRateLimiter;
  private lastPruneAt = 0;
  private readonly refusalLogAt = new Map<AdmissionRefusal, { at: number; suppressed: number }>();
  private readonly counts: AdmissionCounts = { connectionsAccepted: 0, connectionsRefused: 0, publishesRefused: 0 };

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly log: Logger,
    /** false while the node is at its memory budget (new connections would only add to it) */
    private readonly memoryAdmitsNew: () => boolean = () => true,
  ) {
    this.rateLimiter = new ConnectionRateLimiter({ ratePerSecond: limits.connectionRatePerIp, burst: limits.connectionBurstPerIp });
  }

  /** what was admitted and refused since start */
  stats(): AdmissionCounts {
    return { ...this.counts };
  }

  /** From now on every socket is refused (SERVER_SHUTDOWN). */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Accepts again (a node drained with --stay, returned to service). */
  resumeAccepting(): void {
    this.accepting = true;
  }

  /**
   * The check at TCP accept, before a TLS handshake (which costs far more than a refusal): only whether the
   * server accepts at all and the address's rate. The full check follows once the TLS handshake is done.
   */
  checkRate(ip: string, now: number): AdmissionRefusal | undefined {
    if (!this.accepting) return 'SERVER_SHUTDOWN';
    if (!this.memoryAdmitsNew()) return 'MEMORY_BUDGET';
    if (!this.rateLimiter.tryAcquire(ip, now)) return 'CONNECTION_RATE_LIMITED';
    return undefined;
  }

  /**
   * May a connection from `ip` open now? On yes it counts as open until release(ip). `rateChecked`: a
   * rate token was already taken at TCP accept (checkRate).
   */
  admit(ip: string, now: number, rateChecked: boolean): AdmissionRefusal | undefined {
    const refusal = rateChecked ? (this.accepting ? undefined : 'SERVER_SHUTDOWN') : this.checkRate(ip, now);
    if (refusal === undefined && rateChecked && !this.memoryAdmitsNew()) return 'MEMORY_BUDGET';
    if (refusal !== undefined) return refusal;
    if (this.open >= this.limits.maxConnections) return 'MAX_CONNECTIONS';
    const fromIp = this.perIp.get(ip) ?? 0;
    if (fromIp >= this.limits.maxConnectionsPerIp) return 'MAX_CONNECTIONS_PER_IP';
    this.open++;
    this.perIp.set(ip, fromIp + 1);
    this.counts.connectionsAccepted++;
    return undefined;
  }

  /** An admitted connection from `ip` closed. */
  release(ip: string): void {
    this.open--;
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, left);
  }

  /** Counts and logs a refusal; returns the message that says why. */
  refusal(reason: AdmissionRefusal, ip: string, fields: Record<string, unknown>, now: number): string {
    this.counts.connectionsRefused++;
    const message = this.refusalMessage(reason, ip);
    const last = this.refusalLogAt.get(reason);
    if (last !== undefined && now - last.at < 1000) {
      last.suppressed++;
    } else {
      this.refusalLogAt.set(reason, { at: now, suppressed: 0 });
      this.log.warn({ ...fields, reason, suppressedSinceLastLog: last?.suppressed ?? 0 }, `connection refused: ${reason}: ${message}`);
    }
    return message;
  }

  /** May one more publish start while `publishing` streams are published on this server? */
  publishAllowed(publishing: number): boolean {
    if (publishing < this.limits.maxPublishers) return true;
    this.counts.publishesRefused++;
    return false;
  }

  /** Periodic housekeeping (the server's sweep). */
  sweep(now: number): void {
    if (now - this.lastPruneAt < PRUNE_INTERVAL_MS) return;
    this.lastPruneAt = now;
    this.rateLimiter.prune(now);
  }

  private refusalMessage(reason: AdmissionRefusal, ip: string): string {
    const o = this.limits;
    switch (reason) {
      case 'MAX_CONNECTIONS':
        return `server full (${o.maxConnections} connections)`;
      case 'MAX_CONNECTIONS_PER_IP':
        return `too many connections from ${ip} (limit ${o.maxConnectionsPerIp})`;
      case 'CONNECTION_RATE_LIMITED':
        return `${ip} opens connections too fast (limit ${o.connectionRatePerIp}/s, burst ${o.connectionBurstPerIp})`;
      case 'SERVER_SHUTDOWN':
        return 'server shutting down';
      case 'MEMORY_BUDGET':
        return 'node at its memory budget';
    }
  }
}

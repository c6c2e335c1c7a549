/**
 * Draining a node, the same way for the control plane's `drain` command and for SIGTERM (Kubernetes
 * rollouts and scale-in): stop accepting, report 'draining' (readiness fails, registry heartbeat state,
 * node.draining), send an Enhanced RTMP v2 ReconnectRequest to every client whose connect declared
 * capsEx & 1, keep serving everybody until they leave or the deadline passes, then close the rest (the
 * server's graceful shutdown: Unpublish / UnpublishNotify, FIN) and leave the cluster (claims released,
 * node record removed, node.down).
 *
 * stop() on a node that is not draining runs the same steps without the wait (the old immediate shutdown:
 * everybody is told at once and the sockets get the drain timeout to close).
 *
 * A drain ends in one of two ways. By default the node leaves the cluster and exited() resolves: the process
 * exits 0 and its supervisor (Kubernetes, systemd, the local cluster script) starts a fresh one. With `stay`
 * the listeners stay bound but refuse connections, the node stays registered as 'draining', idle and not
 * ready, and undrain() returns it to service. live() turns false when a drain that does not stay has outlived
 * its deadline (plus the time closing and leaving take) without the process being gone, so a liveness probe
 * restarts a node whose exit hung; a staying node is live however long it stays.
 */
import type { DrainReply } from '@rtmp-cluster/control';
import type { ConnectionClosedEvent, ConnectionInfo } from '@rtmp-cluster/server';
import type { Logger } from '@rtmp-cluster/core';
import { NodeCommandError } from '../commands/NodeCommandError.js';

/** The parts of RtmpServer the drain uses. */
export interface DrainServer {
  /** stops listening at once; resolves when the listeners are fully closed (all their connections gone) */
  stopAccepting(): Promise<void>;
  /** refuses new connections but keeps the listeners (a drain that stays) */
  pauseAccepting(): void;
  resumeAccepting(): void;
  listConnections(): ConnectionInfo[];
  /** sends a ReconnectRequest if the connection's client declared support; false otherwise */
  requestReconnect(connId: string, description: string): boolean;
  /** graceful close of every connection, waiting up to graceMs for the sockets; listeners closed */
  shutdown(graceMs: number): Promise<void>;
  /** the same close of every connection, listeners left as they are */
  closeConnections(graceMs: number): Promise<void>;
  on(event: 'connectionClosed', listener: (e: ConnectionClosedEvent) => void): unknown;
  off(event: 'connectionClosed', listener: (e: ConnectionClosedEvent) => void): unknown;
}

export interface DrainHooks {
  /** synchronously at the start: the node reports not ready from now on */
  onStart(): void;
  /** registry heartbeat 'draining' and node.draining (errors are logged by the caller, not thrown) */
  announce(): Promise<void>;
  /** after the connections are gone: release claims, remove the node record, node.down */
  leave(): Promise<void>;
  /** a drain that stayed is undone: the node is ready again, registry record 'ready', node.up */
  resume(): Promise<void>;
}

export interface DrainControllerOptions {
  server: DrainServer;
  hooks: DrainHooks;
  /** RTMPC_DRAIN_TIMEOUT_MS: the deadline when the command gives none, and the stop() grace */
  defaultTimeoutMs: number;
  /** at the deadline, how long the told clients get to close before their sockets are destroyed */
  closeGraceMs?: number;
  logger: Logger;
}

export type DrainPhase = 'idle' | 'draining' | 'closing' | 'drained';

/** How long past its deadline a drain that does not stay may take to close, leave and exit before live() fails. */
export const DRAIN_EXIT_GRACE_MS = 5000;

export class DrainController {
  private readonly o: DrainControllerOptions;
  private readonly log: Logger;
  private _phase: DrainPhase = 'idle';
  private started: Promise<DrainReply> | undefined;
  private finishedPromise: Promise<void> | undefined;
  private deadlineMs = 0;
  private reconnectRequested = 0;
  private readonly askedToReconnect = new Set<string>();
  private cutShort: (() => void) | undefined;
  private stay = false;
  private startedAtMs = 0;
  private undrainRequested = false;
  private readonly exitedPromise: Promise<void>;
  private markExited!: () => void;

  constructor(options: DrainControllerOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'drain' });
    this.exitedPromise = new Promise<void>((resolve) => {
      this.markExited = resolve;
    });
  }

  /** Resolves when a drain that does not stay has left the cluster: time for the process to exit. */
  exited(): Promise<void> {
    return this.exitedPromise;
  }

  /** Liveness: false once a drain that does not stay is overdue (the process should be gone by now). */
  live(nowMs: number = Date.now()): boolean {
    if (this.started === undefined || this.stay) return true;
    return nowMs - this.startedAtMs <= this.deadlineMs + (this.o.closeGraceMs ?? 2000) + DRAIN_EXIT_GRACE_MS;
  }

  get phase(): DrainPhase {
    return this._phase;
  }

  get active(): boolean {
    return this._phase !== 'idle';
  }

  /**
   * Resolves when the drain (started by drain() or stop()) has finished: connections closed and, unless it stays,
   * the cluster left.
   */
  finished(): Promise<void> {
    return this.finishedPromise ?? Promise.resolve();
  }

  /**
   * Starts the drain (idempotent: a repeated call answers the same shape with current figures). Resolves
   * once the node stopped accepting and announced 'draining'; the rest runs in the background.
   */
  async drain(timeoutMs?: number, stay = false): Promise<DrainReply> {
    if (this.started) {
      await this.started;
      return this.reply();
    }
    const deadline = timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : this.o.defaultTimeoutMs;
    this.stay = stay;
    this.started = this.begin(deadline);
    const reply = await this.started;
    this.finishedPromise = this.waitThenClose(deadline);
    return reply;
  }

  /**
   * Finishes now: an ongoing drain stops waiting for clients; otherwise the drain steps run at once and the
   * connections get the default timeout to close after being told.
   */
  async stopNow(): Promise<void> {
    if (this.started) {
      await this.started;
      this.cutShort?.();
      await this.finishedPromise;
      // A staying drain closed its connections but kept its listeners and its place in the cluster.
      if (this.stay && this._phase === 'drained') await this.closeAndLeave(this.o.defaultTimeoutMs);
      return;
    }
    this.started = this.begin(this.o.defaultTimeoutMs);
    await this.started;
    this.finishedPromise = this.closeAndLeave(this.o.defaultTimeoutMs);
    await this.finishedPromise;
  }

  private async begin(deadlineMs: number): Promise<DrainReply> {
    this.deadlineMs = deadlineMs;
    this.startedAtMs = Date.now();
    this._phase = 'draining';
    this.o.hooks.onStart();
    // Refuses new sockets at once; the returned promise only settles when every connection is gone. A drain
    // that stays keeps its listeners (refusing) so that undrain can accept on the same ports again.
    if (this.stay) this.o.server.pauseAccepting();
    else this.o.server.stopAccepting().catch((err: unknown) => this.log.warn({ err }, 'stopAccepting failed'));
    try {
      await this.o.hooks.announce();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not announce draining');
    }
    for (const c of this.o.server.listConnections()) {
      if (c.phase !== 'session') continue;
      if (this.o.server.requestReconnect(c.connId, `node draining: reconnect within ${deadlineMs} ms`)) {
        this.reconnectRequested++;
        this.askedToReconnect.add(c.connId);
      }
    }
    const reply = this.reply();
    this.log.info({ deadlineMs, stay: this.stay, reconnectRequested: reply.reconnectRequested, toClose: reply.toClose }, 'draining: ReconnectRequest sent to capable clients');
    return reply;
  }

  private reply(): DrainReply {
    const open = this.o.server.listConnections();
    const toClose = open.filter((c) => !this.askedToReconnect.has(c.connId)).length;
    return { state: 'draining', deadlineMs: this.deadlineMs, reconnectRequested: this.reconnectRequested, toClose };
  }

  private async waitThenClose(deadlineMs: number): Promise<void> {
    const server = this.o.server;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let poll: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        server.off('connectionClosed', check);
        this.cutShort = undefined;
        resolve();
      };
      const check = (): void => {
        if (server.listConnections().length === 0) done();
      };
      this.cutShort = done;
      timer = setTimeout(() => {
        this.log.info({ left: server.listConnections().length }, 'drain deadline reached: closing the remaining connections');
        done();
      }, deadlineMs);
      poll = setInterval(check, 500);
      server.on('connectionClosed', check);
      check();
    });
    if (!this.stay) {
      await this.closeAndLeave(this.o.closeGraceMs ?? 2000);
      this.markExited();
      return;
    }
    if (this.undrainRequested) return;
    this._phase = 'closing';
    await this.o.server.closeConnections(this.o.closeGraceMs ?? 2000);
    this._phase = 'drained';
    this.log.info({}, "drained: staying, idle and not ready, until 'undrain'");
  }

  /**
   * Returns a node drained with `stay` to service: a drain still waiting for clients stops waiting (the
   * connections that are left stay), the listeners accept again and the node reports ready and 'ready'.
   */
  async undrain(): Promise<void> {
    if (this.started === undefined || !this.stay) {
      throw new NodeCommandError(
        'FAILED_PRECONDITION',
        this.started === undefined ? 'node is not draining' : 'node is draining to exit (drained without --stay): it cannot be undrained',
      );
    }
    await this.started;
    this.undrainRequested = true;
    this.cutShort?.();
    await this.finishedPromise;
    this.o.server.resumeAccepting();
    this.started = undefined;
    this.finishedPromise = undefined;
    this.stay = false;
    this.undrainRequested = false;
    this.reconnectRequested = 0;
    this.askedToReconnect.clear();
    this._phase = 'idle';
    await this.o.hooks.resume();
    this.log.info({}, 'undrained: accepting again');
  }

  private async closeAndLeave(graceMs: number): Promise<void> {
    this._phase = 'closing';
    await this.o.server.shutdown(graceMs);
    try {
      await this.o.hooks.leave();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'leaving the cluster failed');
    }
    this._phase = 'drained';
    this.log.info({}, 'drained: left the cluster');
  }
}

/**
 * The node side of the control plane's node command contract (packages/control README, "Node command
 * contract"): list-sessions, stats, kick-session, kick-publisher, drain. Served with
 * EventBus.serveCommands(nodeId, handler.handle) on NATS in cluster roles and on the in-memory bus in
 * all-in-one. Every reply goes through the control package's own validator (parseNodeReply) before it leaves,
 * so a node can never send a reply the control plane would reject as malformed.
 *
 * Session ids are the RTMP connection ids, prefixed with the node id when the server did not already do it
 * (unique in the cluster); an edge's outgoing relay pull is `<nodeId>-relay:<app/name>`. A connection that
 * has not published or played anything yet is not a session (no kind to report); metrics count it as
 * 'unknown'.
 */
import { ipOfRemoteAddress, isStreamKeyError, parseStreamKey, type StreamKey } from '@rtmp-cluster/core';
import {
  parseNodeReply,
  type DrainReply,
  type NodeCommandReplies,
  type KickPublisherReply,
  type KickSessionReply,
  type ListSessionsReply,
  type NodeSession,
  type SessionKindName,
  type StatsReply,
} from '@rtmp-cluster/control/node-commands';
import type { NodeCommand } from '@rtmp-cluster/events';
import type { StreamHub } from '@rtmp-cluster/media';
import type { ConnectionInfo } from '@rtmp-cluster/server';
import type { WebViewers } from '@rtmp-cluster/web';
import type { Logger } from '@rtmp-cluster/core';
import { NodeCommandError } from './NodeCommandError.js';
import { NO_RELAYS, type RelaySessions } from './RelaySessions.js';

export { NodeCommandError };

/** The parts of RtmpServer the handler uses (RtmpServer satisfies it). */
export interface CommandServer {
  listConnections(): ConnectionInfo[];
  kick(connId: string): boolean;
}

export interface NodeCommandHandlerOptions {
  nodeId: string;
  server: CommandServer;
  hub: Pick<StreamHub, 'allStreamStats' | 'kickPublisher'>;
  /** starts (or repeats) the drain; resolves once the node stopped accepting and announced 'draining' */
  drain: (timeoutMs: number | undefined, stay: boolean) => Promise<DrainReply>;
  /** returns a node drained with stay to service; FAILED_PRECONDITION otherwise */
  undrain: () => Promise<void>;
  /** relay view of the role; read on every command (the role starts after the handler exists) */
  relays?: () => RelaySessions;
  /** the web listener's viewers (HTTP-FLV, WS-FLV, HLS), on nodes that serve players */
  webViewers?: WebViewers;
  /** outcome per command, for metrics */
  onServed?: (command: string, result: string) => void;
  logger: Logger;
  now?: () => number;
}


const RELAY_ID_INFIX = '-relay:';

/** A command's stream key by the core rule; a bad one is an INVALID_ARGUMENT. */
function checkKey(key: string): StreamKey {
  try {
    return parseStreamKey(key);
  } catch (err) {
    if (isStreamKeyError(err)) throw new NodeCommandError('INVALID_ARGUMENT', err.message);
    throw err;
  }
}

export class NodeCommandHandler {
  private readonly o: NodeCommandHandlerOptions;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(options: NodeCommandHandlerOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'node-commands' });
    this.now = options.now ?? Date.now;
  }

  /** The CommandHandler for EventBus.serveCommands (bound: pass it as is). */
  readonly handle = async (command: NodeCommand): Promise<unknown> => {
    try {
      const reply = parseNodeReply(command.cmd, this.o.nodeId, await this.dispatch(command));
      this.o.onServed?.(command.cmd, 'ok');
      return reply;
    } catch (err) {
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'COMMAND_ERROR';
      this.o.onServed?.(command.cmd, code);
      this.log.warn({ command: command.cmd, code, err: (err as Error).message }, 'node command failed');
      throw err;
    }
  };

  private async dispatch(command: NodeCommand): Promise<NodeCommandReplies[NodeCommand['cmd']]> {
    switch (command.cmd) {
      case 'list-sessions':
        if (command.key !== undefined) checkKey(command.key);
        return this.listSessions(command.key);
      case 'stats':
        return this.stats();
      case 'kick-session':
        return this.kickSession(command.sessionId, command.reason ?? 'kicked by operator');
      case 'kick-publisher':
        checkKey(command.key);
        return this.kickPublisher(command.key, command.reason ?? 'kicked by operator');
      case 'drain':
        return this.o.drain(command.timeoutMs !== undefined && command.timeoutMs > 0 ? command.timeoutMs : undefined, command.stay === true);
      case 'undrain':
        await this.o.undrain();
        return { state: 'running' };
      default:
        throw new NodeCommandError('INVALID_ARGUMENT', `unknown command ${JSON.stringify((command as { cmd: unknown }).cmd)}`);
    }
  }

  /** The session id the cluster knows a connection by. */
  sessionIdOf(connId: string): string {
    return connId.startsWith(`${this.o.nodeId}-`) ? connId : `${this.o.nodeId}-${connId}`;
  }

  private relays(): RelaySessions {
    return this.o.relays?.() ?? NO_RELAYS;
  }

  listSessions(key?: string): ListSessionsReply {
    const now = this.now();
    const relayIds = this.relays().incomingRelayConnIds();
    const sessions: NodeSession[] = [];
    for (const c of this.o.server.listConnections()) {
      const kind = this.kindOf(c, relayIds);
      if (kind === undefined) continue;
      const streams = [...c.publishing, ...c.playing];
      const streamKey = key ?? streams[0];
      if (streamKey === undefined || !streams.includes(streamKey)) continue;
      const { app, name } = checkKey(streamKey);
      sessions.push({
        id: this.sessionIdOf(c.connId),
        kind,
        remoteAddress: c.remoteAddress,
        app,
        name,
        startedAt: Math.max(0, Math.round(now - c.connectedForMs)),
        bytesIn: c.bytesIn,
        bytesOut: c.bytesOut,
        rttMs: c.rttMs ?? null,
        protocol: c.secure ? 'rtmps' : 'rtmp',
      });
    }
    for (const v of this.o.webViewers?.list(key) ?? []) {
      const { app, name } = checkKey(v.key);
      sessions.push({
        id: this.sessionIdOf(v.id),
        kind: 'player',
        remoteAddress: v.clientIp === ipOfRemoteAddress(v.remoteAddress) ? v.remoteAddress : v.clientIp,
        app,
        name,
        startedAt: v.startedAt,
        bytesIn: 0,
        bytesOut: v.bytesOut,
        rttMs: null,
        protocol: v.protocol,
      });
    }
    for (const r of this.relays().outgoingRelays()) {
      if (key !== undefined && r.key !== key) continue;
      const { app, name } = checkKey(r.key);
      sessions.push({
        id: `${this.o.nodeId}${RELAY_ID_INFIX}${r.key}`,
        kind: 'relay',
        remoteAddress: r.upstreamAddress,
        app,
        name,
        startedAt: r.startedAt,
        bytesIn: r.bytesIn,
        bytesOut: 0,
        rttMs: null,
      });
    }
    return { sessions };
  }

  stats(): StatsReply {
    const relayIds = this.relays().incomingRelayConnIds();
    const viewers = new Map<string, number>();
    const publishers = new Map<string, string>();
    for (const c of this.o.server.listConnections()) {
      if (!relayIds.has(c.connId)) for (const k of new Set(c.playing)) viewers.set(k, (viewers.get(k) ?? 0) + 1);
      for (const k of c.publishing) publishers.set(k, this.sessionIdOf(c.connId));
    }
    for (const v of this.o.webViewers?.list() ?? []) viewers.set(v.key, (viewers.get(v.key) ?? 0) + 1);
    const streams = this.o.hub
      .allStreamStats()
      .filter((s) => s.live)
      .map((s) => {
        const publisherSessionId = publishers.get(s.key);
        return {
          key: s.key,
          viewers: viewers.get(s.key) ?? 0,
          ingressBps: Math.max(0, Math.round(s.ingressBitrate)),
          // Only a locally published stream has a publisher session here (an edge's comes from a relay).
          ...(publisherSessionId !== undefined ? { publisherSessionId } : {}),
        };
      });
    return { streams };
  }

  kickSession(sessionId: string, reason: string): KickSessionReply {
    const relayPrefix = `${this.o.nodeId}${RELAY_ID_INFIX}`;
    if (sessionId.startsWith(relayPrefix)) {
      const key = sessionId.slice(relayPrefix.length);
      if (!this.relays().stopOutgoingRelay(key, `kicked: ${reason}`)) return { kicked: false };
      this.log.info({ sessionId, stream: key, reason }, 'relay pull kicked by operator');
      return { kicked: true, kind: 'relay', key };
    }
    const web = this.o.webViewers?.list().find((v) => this.sessionIdOf(v.id) === sessionId);
    if (web !== undefined && this.o.webViewers!.kick(web.id, reason) !== undefined) {
      this.log.info({ sessionId, protocol: web.protocol, stream: web.key, reason }, 'web viewer kicked by operator');
      return { kicked: true, kind: 'player', key: web.key };
    }
    const relayIds = this.relays().incomingRelayConnIds();
    const conn = this.o.server.listConnections().find((c) => this.sessionIdOf(c.connId) === sessionId);
    if (!conn) return { kicked: false };
    const kind = this.kindOf(conn, relayIds);
    if (kind === undefined) return { kicked: false };
    const key = conn.publishing[0] ?? conn.playing[0];
    // A publisher is told (Unpublish.Success) and its players get UnpublishNotify before the socket goes.
    for (const k of conn.publishing) this.o.hub.kickPublisher(k);
    this.o.server.kick(conn.connId);
    this.log.info({ sessionId, connId: conn.connId, kind, stream: key, reason }, 'session kicked by operator');
    return key !== undefined ? { kicked: true, kind, key } : { kicked: true, kind };
  }

  kickPublisher(key: string, reason: string): KickPublisherReply {
    const conn = this.o.server.listConnections().find((c) => c.publishing.includes(key));
    // Only a local publisher connection is ours to kick; a relayed stream is kicked at its origin.
    if (!conn) return { kicked: false };
    const kicked = this.o.hub.kickPublisher(key);
    if (!kicked) return { kicked: false };
    const sessionId = this.sessionIdOf(conn.connId);
    this.log.info({ sessionId, stream: key, reason }, 'publisher kicked by operator');
    return { kicked: true, sessionId };
  }

  private kindOf(c: ConnectionInfo, relayIds: ReadonlySet<string>): SessionKindName | undefined {
    if (relayIds.has(c.connId)) return 'relay';
    if (c.role === 'publisher') return 'publisher';
    if (c.role === 'player') return 'player';
    return undefined;
  }
}

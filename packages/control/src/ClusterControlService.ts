import { EventBusError, type EventBus, type NodeCommand } from '@rtmp-cluster/events';
import { parseStreamKey } from '@rtmp-cluster/core';
import type { ClusterRegistry, NodeRecord, StreamLocation } from '@rtmp-cluster/registry';
import { ControlError } from './ControlError.js';
import type { DrainNodeResponse } from './generated/rtmpcluster/control/v1/DrainNodeResponse.js';
import type { UndrainNodeResponse } from './generated/rtmpcluster/control/v1/UndrainNodeResponse.js';
import type { KickPublisherResponse } from './generated/rtmpcluster/control/v1/KickPublisherResponse.js';
import type { KickSessionResponse } from './generated/rtmpcluster/control/v1/KickSessionResponse.js';
import type { ListSessionsResponse } from './generated/rtmpcluster/control/v1/ListSessionsResponse.js';
import type { ListStreamsResponse } from './generated/rtmpcluster/control/v1/ListStreamsResponse.js';
import type { Node } from './generated/rtmpcluster/control/v1/Node.js';
import type { Session } from './generated/rtmpcluster/control/v1/Session.js';
import type { Stream } from './generated/rtmpcluster/control/v1/Stream.js';
import type { Logger } from '@rtmp-cluster/core';
import { parseNodeReply, type NodeCommandReplies, type NodeStreamStats, type SessionKindName } from './NodeCommands.js';
import { kindToProto, nodeToProto, type roleFromProto } from './ProtoMapping.js';

export interface ClusterControlServiceOptions {
  registry: ClusterRegistry;
  events: EventBus;
  logger: Logger;
  /** How long to wait for each node's reply. Default 2000 ms. */
  commandTimeoutMs?: number;
  now?: () => number;
}

type RoleFilter = ReturnType<typeof roleFromProto>;

/** Per-node stats gathered for one request: stream key -> node id -> stats. */
interface StatsSnapshot {
  byKey: Map<string, Map<string, NodeStreamStats>>;
  unreachable: string[];
}

/**
 * What the gRPC handlers do, free of gRPC: reads the registry, asks nodes over the event bus and
 * returns proto-shaped objects. Errors are ControlErrors.
 *
 * Viewer counts come from asking every live node for `stats` (not from the registry, which only keeps
 * per-node totals): each node reports players per stream, so a stream's edges and their viewers are
 * exactly the nodes whose stats list the key. Nodes that do not answer in time are reported in
 * unreachable_nodes instead of failing the whole call.
 */
export class ClusterControlService {
  private readonly registry: ClusterRegistry;
  private readonly events: EventBus;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: ClusterControlServiceOptions) {
    this.registry = options.registry;
    this.events = options.events;
    this.logger = options.logger;
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  async listNodes(role: RoleFilter): Promise<Node[]> {
    const nodes = await this.registry.listNodes();
    const now = this.now();
    return nodes
      .filter((n) => role === undefined || n.role === role)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((n) => nodeToProto(n, now));
  }

  async getNode(id: string): Promise<Node> {
    return nodeToProto(await this.requireNode(id), this.now());
  }

  async listStreams(app: string): Promise<ListStreamsResponse> {
    const all = await this.registry.listStreams();
    const streams = app ? all.filter((s) => s.app === app) : all;
    if (streams.length === 0) return { streams: [], unreachableNodes: [] };
    const stats = await this.gatherStats();
    return {
      streams: streams.map((s) => this.streamToProto(s, stats)),
      unreachableNodes: stats.unreachable,
    };
  }

  async getStream(key: string): Promise<Stream> {
    const location = await this.registry.lookup(this.parseKey(key, 'key'));
    if (!location) throw new ControlError('NOT_FOUND', `stream ${key} is not published`);
    const stats = await this.gatherStats();
    return this.streamToProto(location, stats);
  }

  async listSessions(filter: { nodeId: string; stream: string; kind: SessionKindName | undefined }): Promise<ListSessionsResponse> {
    const key = filter.stream ? this.parseKey(filter.stream, 'stream') : undefined;
    const nodes = filter.nodeId ? [await this.requireNode(filter.nodeId)] : await this.mediaNodes();
    const command = (key ? { cmd: 'list-sessions', key } : { cmd: 'list-sessions' }) satisfies NodeCommand;
    const replies = await Promise.all(
      nodes.map(async (n) => ({ node: n, result: await this.tryRequest(n.id, command) })),
    );
    const sessions: Session[] = [];
    const unreachable: string[] = [];
    for (const { node, result } of replies) {
      if (result.status === 'unreachable') {
        // A node named explicitly that cannot answer is the whole answer: say so.
        if (filter.nodeId) throw result.error;
        unreachable.push(node.id);
        continue;
      }
      for (const s of result.value.sessions) {
        // Nodes may ignore the key filter; kind is always filtered here.
        if (key && `${s.app}/${s.name}` !== key) continue;
        if (filter.kind && s.kind !== filter.kind) continue;
        sessions.push({
          id: s.id,
          nodeId: node.id,
          kind: kindToProto(s.kind),
          remoteAddress: s.remoteAddress,
          app: s.app,
          name: s.name,
          startedAtMs: s.startedAt,
          bytesIn: Math.round(s.bytesIn),
          bytesOut: Math.round(s.bytesOut),
          rttMs: s.rttMs === null ? 0 : Math.round(s.rttMs),
          protocol: s.protocol ?? 'rtmp',
        });
      }
    }
    sessions.sort((a, b) => cmp(a.nodeId!, b.nodeId!) || (a.startedAtMs as number) - (b.startedAtMs as number) || cmp(a.id!, b.id!));
    return { sessions, unreachableNodes: unreachable.sort() };
  }

  async kickSession(sessionId: string, nodeId: string): Promise<KickSessionResponse> {
    if (!sessionId) throw new ControlError('INVALID_ARGUMENT', 'session_id is required');
    const nodes = nodeId ? [await this.requireNode(nodeId)] : await this.mediaNodes();
    const command = { cmd: 'kick-session', sessionId, reason: 'kicked by operator' } satisfies NodeCommand;
    const results = await Promise.all(nodes.map(async (n) => ({ node: n, result: await this.tryRequest(n.id, command) })));
    const unreachable: string[] = [];
    for (const { node, result } of results) {
      if (result.status === 'unreachable') {
        unreachable.push(node.id);
        continue;
      }
      const reply = result.value;
      if (!reply.kicked) continue;
      this.logger.info({ sessionId, nodeId: node.id, kind: reply.kind, key: reply.key }, 'session kicked by operator');
      this.events.publish({
        type: 'session.kicked',
        nodeId: node.id,
        sessionId,
        kind: reply.kind!, // a kicked reply carries its kind (parseKickSessionReply)
        ...(reply.key ? { key: reply.key } : {}),
        reason: 'kicked by operator',
      });
      return { sessionId, nodeId: node.id };
    }
    if (unreachable.length > 0 && unreachable.length === nodes.length) {
      throw new ControlError('UNAVAILABLE', `no node answered (unreachable: ${unreachable.join(', ')})`);
    }
    const partial = unreachable.length > 0 ? ` (nodes that did not answer: ${unreachable.join(', ')})` : '';
    throw new ControlError('NOT_FOUND', `no node has session ${sessionId}${partial}`);
  }

  async kickPublisher(stream: string): Promise<KickPublisherResponse> {
    const key = this.parseKey(stream, 'stream');
    const location = await this.registry.lookup(key);
    if (!location) throw new ControlError('NOT_FOUND', `stream ${key} is not published`);
    const reply = await this.request(location.ownerId, { cmd: 'kick-publisher', key, reason: 'kicked by operator' });
    if (reply.kicked) {
      this.logger.info({ key, nodeId: location.ownerId, sessionId: reply.sessionId }, 'publisher kicked by operator');
      this.events.publish({
        type: 'session.kicked',
        nodeId: location.ownerId,
        sessionId: reply.sessionId ?? `publisher:${key}`,
        kind: 'publisher',
        key,
        reason: 'kicked by operator',
      });
    }
    return {
      stream: key,
      originNodeId: location.ownerId,
      epoch: location.epoch,
      kicked: reply.kicked,
      sessionId: reply.sessionId ?? '',
    };
  }

  async drainNode(nodeId: string, deadlineMs: number, stay = false): Promise<DrainNodeResponse> {
    if (!nodeId) throw new ControlError('INVALID_ARGUMENT', 'node_id is required');
    await this.requireNode(nodeId);
    const command = { cmd: 'drain', ...(deadlineMs > 0 ? { timeoutMs: deadlineMs } : {}), ...(stay ? { stay } : {}) } satisfies NodeCommand;
    const reply = await this.request(nodeId, command);
    this.logger.info({ nodeId, deadlineMs: reply.deadlineMs, stay }, 'node draining on operator request');
    return {
      nodeId,
      state: 'NODE_STATE_DRAINING',
      deadlineMs: Math.round(reply.deadlineMs),
      reconnectRequested: Math.round(reply.reconnectRequested),
      toClose: Math.round(reply.toClose),
    };
  }
  async undrainNode(nodeId: string): Promise<UndrainNodeResponse> {
    if (!nodeId) throw new ControlError('INVALID_ARGUMENT', 'node_id is required');
    await this.requireNode(nodeId);
    await this.request(nodeId, { cmd: 'undrain' });
    this.logger.info({ nodeId }, 'node back in service on operator request');
    return { nodeId, state: 'NODE_STATE_READY' };
  }


  // ---- internals ---------------------------------------------------------------------------

  private parseKey(key: string, field: string): string {
    if (!key) throw new ControlError('INVALID_ARGUMENT', `${field} is required ('app/name')`);
    return parseStreamKey(key).key; // StreamKeyError -> gRPC INVALID_ARGUMENT
  }

  private async requireNode(id: string): Promise<NodeRecord> {
    if (!id) throw new ControlError('INVALID_ARGUMENT', 'node id is required');
    const node = await this.registry.getNode(id);
    if (!node) throw new ControlError('NOT_FOUND', `node ${id} is not registered`);
    return node;
  }

  /** Nodes that carry RTMP sessions (every registered node except control-only ones). */
  private async mediaNodes(): Promise<NodeRecord[]> {
    return (await this.registry.listNodes()).filter((n) => n.role !== 'control');
  }

  private async gatherStats(): Promise<StatsSnapshot> {
    const nodes = await this.mediaNodes();
    const results = await Promise.all(nodes.map(async (n) => ({ node: n, result: await this.tryRequest(n.id, { cmd: 'stats' }) })));
    const byKey = new Map<string, Map<string, NodeStreamStats>>();
    const unreachable: string[] = [];
    for (const { node, result } of results) {
      if (result.status === 'unreachable') {
        unreachable.push(node.id);
        continue;
      }
      for (const s of result.value.streams) {
        let perNode = byKey.get(s.key);
        if (!perNode) byKey.set(s.key, (perNode = new Map()));
        perNode.set(node.id, s);
      }
    }
    return { byKey, unreachable: unreachable.sort() };
  }

  private streamToProto(s: StreamLocation, stats: StatsSnapshot): Stream {
    const now = this.now();
    const perNode = stats.byKey.get(s.key) ?? new Map<string, NodeStreamStats>();
    const origin = perNode.get(s.ownerId);
    const edges = [...perNode.entries()]
      .filter(([nodeId]) => nodeId !== s.ownerId)
      .map(([nodeId, st]) => ({ nodeId, viewers: Math.round(st.viewers) }))
      .sort((a, b) => cmp(a.nodeId, b.nodeId));
    const originViewers = origin ? Math.round(origin.viewers) : 0;
    const info = s.info;
    return {
      key: s.key,
      app: s.app,
      name: s.name,
      originNodeId: s.ownerId,
      originAddress: s.ownerAddress,
      epoch: s.epoch,
      claimedAtMs: s.since,
      publisher: {
        sessionId: origin?.publisherSessionId ?? '',
        remoteAddress: info.publisherAddress ?? '',
        startedAtMs: s.since,
        uptimeMs: Math.max(0, now - s.since),
      },
      video: info.videoCodec !== undefined || info.width !== undefined
        ? { codec: info.videoCodec ?? '', width: info.width ?? 0, height: info.height ?? 0, frameRate: info.frameRate ?? 0 }
        : null,
      audio: info.audioCodec !== undefined
        ? { codec: info.audioCodec, sampleRate: info.audioSampleRate ?? 0, channels: info.audioChannels ?? 0 }
        : null,
      ingressBps: origin ? Math.round(origin.ingressBps) : 0,
      originViewers,
      edges,
      totalViewers: originViewers + edges.reduce((sum, e) => sum + e.viewers, 0),
      unreachableNodes: stats.unreachable,
    };
  }

  /** A command whose failure fails the call; the reply is checked against the command's reply shape. */
  private async request<C extends NodeCommand>(nodeId: string, command: C): Promise<NodeCommandReplies[C['cmd']]> {
    let raw: unknown;
    try {
      raw = await this.events.request(nodeId, command, this.timeoutMs);
    } catch (err) {
      throw commandError(nodeId, command, err);
    }
    return parseNodeReply<C['cmd']>(command.cmd, nodeId, raw);
  }

  /**
   * A command to one of many nodes: unreachable nodes are reported, other failures (a malformed reply
   * included) still fail the call.
   */
  private async tryRequest<C extends NodeCommand>(
    nodeId: string,
    command: C,
  ): Promise<{ status: 'ok'; value: NodeCommandReplies[C['cmd']] } | { status: 'unreachable'; error: ControlError }> {
    try {
      return { status: 'ok', value: await this.request(nodeId, command) };
    } catch (err) {
      if (err instanceof ControlError && err.code === 'UNAVAILABLE') {
        this.logger.warn({ nodeId, cmd: command.cmd, err: err.message }, 'node did not answer');
        return { status: 'unreachable', error: err };
      }
      throw err;
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Maps event bus failures of a node command onto control errors. */
function commandError(nodeId: string, command: NodeCommand, err: unknown): ControlError {
  if (err instanceof ControlError) return err;
  if (err instanceof EventBusError) {
    switch (err.code) {
      case 'NODE_UNREACHABLE':
        return new ControlError('UNAVAILABLE', `node ${nodeId} does not answer commands`, { cause: err });
      case 'COMMAND_TIMEOUT':
        return new ControlError('UNAVAILABLE', `node ${nodeId} did not answer ${command.cmd} in time`, { cause: err });
      case 'BUS_UNAVAILABLE':
      case 'BUS_CLOSED':
        return new ControlError('UNAVAILABLE', `event bus unavailable: ${err.message}`, { cause: err });
      case 'INVALID_ARGUMENT':
        return new ControlError('INVALID_ARGUMENT', err.message, { cause: err });
      case 'COMMAND_FAILED':
        if (err.remoteCode === 'NOT_FOUND') return new ControlError('NOT_FOUND', err.message, { cause: err });
        if (err.remoteCode === 'INVALID_ARGUMENT') return new ControlError('INVALID_ARGUMENT', err.message, { cause: err });
        if (err.remoteCode === 'FAILED_PRECONDITION') return new ControlError('FAILED_PRECONDITION', err.message, { cause: err });
        return new ControlError('NODE_FAILURE', err.message, { cause: err });
    }
  }
  return new ControlError('INTERNAL', `${command.cmd} to ${nodeId} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

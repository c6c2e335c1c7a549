import { CodedError } from '@rtmp-cluster/core';
import type { NodeCommandName } from '@rtmp-cluster/events';
/**
 * The commands the control plane sends to a node over the events package's node command
 * request/reply, and the JSON replies every node (origin, edge, all-in-one) must send back.
 *
 * A node answers each command with exactly one reply object. Numbers are JSON numbers: times are
 * Unix epoch milliseconds, rates bits per second, counters plain integers. Unknown fields in a
 * request or reply are ignored so either side can grow fields without breaking the other.
 *
 * The control plane validates every reply with the parse functions below; a reply that does not
 * match is reported as a NodeReplyError (gRPC INTERNAL), never passed through half-read.
 */

export type SessionKindName = 'publisher' | 'player' | 'relay';
export const SESSION_KINDS: readonly SessionKindName[] = ['publisher', 'player', 'relay'];

/**
 * The requests themselves are the events package's NodeCommand (sent with EventBus.request, served
 * with EventBus.serveCommands): exactly these JSON objects.
 *
 *   { "cmd": "list-sessions", "key"?: "app/name" }
 *   { "cmd": "stats" }
 *   { "cmd": "kick-session", "sessionId": "...", "reason"?: "..." }
 *   { "cmd": "kick-publisher", "key": "app/name", "reason"?: "..." }
 *   { "cmd": "drain", "timeoutMs"?: 30000 }
 *
 * The handler's return value is the reply (the bus wraps it as { ok: true, result }). To fail, throw an
 * Error with a string `code`; the control plane maps code 'INVALID_ARGUMENT' to gRPC INVALID_ARGUMENT,
 * 'NOT_FOUND' to NOT_FOUND, anything else to INTERNAL.
 */
export type { NodeCommand, NodeCommandName } from '@rtmp-cluster/events';

// ---- list-sessions -------------------------------------------------------------------------

export interface NodeSession {
  /** Unique in the cluster (a node prefixes its ids with its node id or a random part). */
  id: string;
  /**
   * 'publisher': an encoder publishing; 'player': a viewer playing; 'relay': an edge's upstream pull
   * (reported by the edge for its outgoing pull, and by the origin for the incoming relay connection).
   */
  kind: SessionKindName;
  /** Peer 'ip:port'. */
  remoteAddress: string;
  /** Empty string until connect. */
  app: string;
  /** Stream name; empty string until publish/play. */
  name: string;
  startedAt: number;
  bytesIn: number;
  bytesOut: number;
  /** Round-trip time from the last RTMP ping, or null if not measured yet. */
  rttMs: number | null;
  /** 'rtmp', 'rtmps', 'http-flv', 'ws-flv', 'hls'; absent from older nodes (then 'rtmp') */
  protocol?: string;
}

/** Every session of the node, or only those of `key` when the command carries one. */
export interface ListSessionsReply {
  sessions: NodeSession[];
}

// ---- stats ---------------------------------------------------------------------------------

export interface NodeStreamStats {
  /** 'app/name' of a stream this node currently serves (publishes locally or relays from an origin). */
  key: string;
  /** Player sessions of this stream on this node (relay pulls by edges are NOT viewers). */
  viewers: number;
  /** Media bits per second entering this node for the stream (publisher, or the relay pull). */
  ingressBps: number;
  /** Session id of the local publisher (origins only). */
  publisherSessionId?: string;
}

export interface StatsReply {
  streams: NodeStreamStats[];
}

// ---- kick-session --------------------------------------------------------------------------

/**
 * kicked=false: this node has no session with that id (not an error: the id may live elsewhere).
 * With kicked=true, kind is required and key describes the closed session's stream (absent if it had
 * not published/played yet).
 */
export interface KickSessionReply {
  kicked: boolean;
  kind?: SessionKindName;
  key?: string;
}

// ---- kick-publisher ------------------------------------------------------------------------

/** kicked=false: no publisher of that key on this node. sessionId: the closed publisher session. */
export interface KickPublisherReply {
  kicked: boolean;
  sessionId?: string;
}

// ---- drain ---------------------------------------------------------------------------------

/**
 * Sent once the node has stopped accepting and reports 'draining' in its registry heartbeat (and has
 * published node.draining). timeoutMs absent or 0 = the node's configured RTMPC_DRAIN_TIMEOUT_MS;
 * deadlineMs is the deadline actually applied. A second drain while draining answers the same shape.
 */
export interface DrainReply {
  state: 'draining';
  deadlineMs: number;
  /** Sessions sent an Enhanced RTMP ReconnectRequest. */
  reconnectRequested: number;
  /** Sessions that will be closed at the deadline unless they leave first. */
  toClose: number;
}

/** `undrain`: the node drained with stay accepts again and reports 'up'. */
export interface UndrainReply {
  state: 'running';
}

/** Reply type per command, for typed handlers. */
export interface NodeCommandReplies {
  'list-sessions': ListSessionsReply;
  stats: StatsReply;
  'kick-session': KickSessionReply;
  'kick-publisher': KickPublisherReply;
  drain: DrainReply;
  undrain: UndrainReply;
}

// ---- reply validation ----------------------------------------------------------------------

/** A node answered with something that is not the documented reply shape. */
export class NodeReplyError extends CodedError<'NODE_REPLY_INVALID'> {
  readonly domain = 'control';
  constructor(
    readonly command: string,
    readonly nodeId: string,
    detail: string,
  ) {
    super('NODE_REPLY_INVALID', `node ${nodeId} sent an invalid ${command} reply: ${detail}`);
    this.name = 'NodeReplyError';
  }
}

type Check = (what: string, v: unknown) => void;

/** Bounds what one node reply can make the control plane hold in memory. */
export const MAX_REPLY_ENTRIES = 100_000;

function record(v: unknown, what: string, fail: (d: string) => never): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function checker(command: string, nodeId: string) {
  const fail = (detail: string): never => {
    throw new NodeReplyError(command, nodeId, detail);
  };
  const str: Check = (what, v) => {
    if (typeof v !== 'string') fail(`${what} must be a string`);
  };
  const count: Check = (what, v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${what} must be a number >= 0`);
  };
  const bool: Check = (what, v) => {
    if (typeof v !== 'boolean') fail(`${what} must be a boolean`);
  };
  /** Each object of the array `what` (at most MAX_REPLY_ENTRIES), with `at` naming its fields in messages. */
  const entries = <T>(what: string, v: unknown, each: (e: Record<string, unknown>, at: (field: string) => string) => T): T[] => {
    if (!Array.isArray(v)) fail(`${what} must be an array`);
    const arr = v as unknown[];
    if (arr.length > MAX_REPLY_ENTRIES) fail(`${what} has more than ${MAX_REPLY_ENTRIES} entries`);
    return arr.map((item, i) => {
      const path = `${what}[${i}]`;
      return each(record(item, path, fail), (field) => `${path}.${field}`);
    });
  };
  return { fail, str, count, bool, entries, obj: (v: unknown, what: string) => record(v, what, fail) };
}

export function parseListSessionsReply(nodeId: string, raw: unknown): ListSessionsReply {
  const c = checker('list-sessions', nodeId);
  const o = c.obj(raw, 'reply');
  const sessions = c.entries('sessions', o.sessions, (e, at): NodeSession => {
    c.str(at('id'), e.id);
    if (!SESSION_KINDS.includes(e.kind as SessionKindName)) c.fail(`${at('kind')} must be one of ${SESSION_KINDS.join(', ')}`);
    c.str(at('remoteAddress'), e.remoteAddress);
    c.str(at('app'), e.app);
    c.str(at('name'), e.name);
    c.count(at('startedAt'), e.startedAt);
    c.count(at('bytesIn'), e.bytesIn);
    c.count(at('bytesOut'), e.bytesOut);
    if (e.rttMs !== null && e.rttMs !== undefined) c.count(at('rttMs'), e.rttMs);
    if (e.protocol !== undefined) c.str(at('protocol'), e.protocol);
    return {
      id: e.id as string,
      kind: e.kind as SessionKindName,
      remoteAddress: e.remoteAddress as string,
      app: e.app as string,
      name: e.name as string,
      startedAt: e.startedAt as number,
      bytesIn: e.bytesIn as number,
      bytesOut: e.bytesOut as number,
      rttMs: (e.rttMs as number | null | undefined) ?? null,
      protocol: typeof e.protocol === 'string' ? e.protocol : 'rtmp',
    };
  });
  return { sessions };
}

export function parseStatsReply(nodeId: string, raw: unknown): StatsReply {
  const c = checker('stats', nodeId);
  const o = c.obj(raw, 'reply');
  const streams = c.entries('streams', o.streams, (e, at): NodeStreamStats => {
    c.str(at('key'), e.key);
    c.count(at('viewers'), e.viewers);
    c.count(at('ingressBps'), e.ingressBps);
    if (e.publisherSessionId !== undefined) c.str(at('publisherSessionId'), e.publisherSessionId);
    const out: NodeStreamStats = { key: e.key as string, viewers: e.viewers as number, ingressBps: e.ingressBps as number };
    if (typeof e.publisherSessionId === 'string') out.publisherSessionId = e.publisherSessionId;
    return out;
  });
  return { streams };
}

export function parseKickSessionReply(nodeId: string, raw: unknown): KickSessionReply {
  const c = checker('kick-session', nodeId);
  const o = c.obj(raw, 'reply');
  c.bool('kicked', o.kicked);
  const out: KickSessionReply = { kicked: o.kicked as boolean };
  // The control plane announces the kick with the session's kind, so a node that kicked must say it.
  if (o.kicked === true && o.kind === undefined) c.fail('kind is required when kicked is true');
  if (o.kind !== undefined) {
    if (!SESSION_KINDS.includes(o.kind as SessionKindName)) c.fail(`kind must be one of ${SESSION_KINDS.join(', ')}`);
    out.kind = o.kind as SessionKindName;
  }
  if (o.key !== undefined) {
    c.str('key', o.key);
    out.key = o.key as string;
  }
  return out;
}

export function parseKickPublisherReply(nodeId: string, raw: unknown): KickPublisherReply {
  const c = checker('kick-publisher', nodeId);
  const o = c.obj(raw, 'reply');
  c.bool('kicked', o.kicked);
  if (o.sessionId !== undefined) c.str('sessionId', o.sessionId);
  const out: KickPublisherReply = { kicked: o.kicked as boolean };
  if (typeof o.sessionId === 'string') out.sessionId = o.sessionId;
  return out;
}

export function parseUndrainReply(nodeId: string, raw: unknown): UndrainReply {
  const c = checker('undrain', nodeId);
  const o = c.obj(raw, 'reply');
  if (o.state !== 'running') c.fail("state must be 'running'");
  return { state: 'running' };
}

export function parseDrainReply(nodeId: string, raw: unknown): DrainReply {
  const c = checker('drain', nodeId);
  const o = c.obj(raw, 'reply');
  if (o.state !== 'draining') c.fail("state must be 'draining'");
  c.count('deadlineMs', o.deadlineMs);
  c.count('reconnectRequested', o.reconnectRequested);
  c.count('toClose', o.toClose);
  return {
    state: 'draining',
    deadlineMs: o.deadlineMs as number,
    reconnectRequested: o.reconnectRequested as number,
    toClose: o.toClose as number,
  };
}

const REPLY_PARSERS: { [K in NodeCommandName]: (nodeId: string, raw: unknown) => NodeCommandReplies[K] } = {
  'list-sessions': parseListSessionsReply,
  stats: parseStatsReply,
  'kick-session': parseKickSessionReply,
  'kick-publisher': parseKickPublisherReply,
  drain: parseDrainReply,
  undrain: parseUndrainReply,
};

/**
 * `raw` checked as the reply to `command`: the one validation both sides use (the control plane on what it
 * receives, a node on what it sends), so neither can pair a command with the wrong parser.
 */
export function parseNodeReply<K extends NodeCommandName>(command: K, nodeId: string, raw: unknown): NodeCommandReplies[K] {
  return REPLY_PARSERS[command](nodeId, raw);
}

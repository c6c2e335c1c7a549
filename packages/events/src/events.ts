import { isStreamKeyError, parseStreamKey, type StreamKey } from '@rtmp-cluster/core';
import { EventBusError } from './errors.js';

export const EVENT_VERSION = 1 as const;

/**
 * Every event on the wire is one JSON object: this envelope plus the payload fields at the top level.
 * `nodeId` is the node the event is about: the emitter for stream and session events, the subject node
 * for node.* events (a watcher reporting a dead node sets `reportedBy`).
 */
export interface EventEnvelope<T extends string> {
  v: typeof EVENT_VERSION;
  type: T;
  /** ms since the epoch, set by the emitter */
  ts: number;
  nodeId: string;
}

export interface StreamCodecs {
  video?: string;
  audio?: string;
}

export interface StreamPublishedEvent extends EventEnvelope<'stream.published'> {
  key: string;
  app: string;
  name: string;
  originId: string;
  /** Internal RTMP address to pull from, 'host:port'. */
  originAddress: string;
  epoch: number;
  codecs?: StreamCodecs;
}

export interface StreamUnpublishedEvent extends EventEnvelope<'stream.unpublished'> {
  key: string;
  app: string;
  name: string;
  originId: string;
  epoch: number;
  /** e.g. 'publisher-left', 'kicked', 'lease-lost', 'node-draining' */
  reason: string;
}

export interface NodeEventFields {
  role: string;
  address: string;
  /** Set when another node (e.g. control) noticed the change; absent when the node announced itself. */
  reportedBy?: string;
}
export interface NodeUpEvent extends EventEnvelope<'node.up'>, NodeEventFields {}
export interface NodeDrainingEvent extends EventEnvelope<'node.draining'>, NodeEventFields {}
export interface NodeDownEvent extends EventEnvelope<'node.down'>, NodeEventFields {}

export interface SessionKickedEvent extends EventEnvelope<'session.kicked'> {
  sessionId: string;
  kind: 'publisher' | 'player' | 'relay';
  key?: string;
  reason: string;
}

export type ClusterEvent =
  | StreamPublishedEvent
  | StreamUnpublishedEvent
  | NodeUpEvent
  | NodeDrainingEvent
  | NodeDownEvent
  | SessionKickedEvent;

export type EventType = ClusterEvent['type'];
export type EventOfType<T extends EventType> = Extract<ClusterEvent, { type: T }>;

export const EVENT_TYPES: readonly EventType[] = [
  'stream.published',
  'stream.unpublished',
  'node.up',
  'node.draining',
  'node.down',
  'session.kicked',
];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What callers pass to publish(): the bus fills in v, ts (now) and nodeId (its own) when omitted. */
export type ClusterEventInput = DistributiveOmit<ClusterEvent, 'v' | 'ts' | 'nodeId'> & { ts?: number; nodeId?: string };

/** Which events a subscriber wants; every given field must match. Empty filter = every event. */
export interface EventFilter {
  types?: readonly EventType[];
  /** Matches events that carry this app (stream.*, session.kicked with a key). */
  app?: string;
  /** Matches events that carry this exact 'app/name' key. */
  key?: string;
  /** Matches the envelope nodeId. */
  nodeId?: string;
}

export function completeEvent(input: ClusterEventInput, nodeId: string, now: number): ClusterEvent {
  const event = { ...input, v: EVENT_VERSION, ts: input.ts ?? now, nodeId: input.nodeId ?? nodeId } as ClusterEvent;
  validateEvent(event);
  return event;
}

export function matchesFilter(event: ClusterEvent, filter: EventFilter): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.nodeId !== undefined && event.nodeId !== filter.nodeId) return false;
  if (filter.key !== undefined || filter.app !== undefined) {
    const key = 'key' in event ? event.key : undefined;
    if (key === undefined) return false;
    if (filter.key !== undefined && key !== filter.key) return false;
    if (filter.app !== undefined && streamKey(key).app !== filter.app) return false;
  }
  return true;
}

const MAX_EVENT_BYTES = 64 * 1024;

/** Parses and validates one wire event; throws EventBusError INVALID_ARGUMENT. */
export function decodeEvent(data: Uint8Array | string): ClusterEvent {
  const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (text.length > MAX_EVENT_BYTES) throw new EventBusError('INVALID_ARGUMENT', 'event larger than 64 KiB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new EventBusError('INVALID_ARGUMENT', 'event is not JSON', { cause: err });
  }
  validateEvent(parsed);
  return parsed;
}

export function encodeEvent(event: ClusterEvent): string {
  return JSON.stringify(event);
}

function fail(message: string): never {
  throw new EventBusError('INVALID_ARGUMENT', message);
}

function str(o: Record<string, unknown>, field: string, optional = false): void {
  const v = o[field];
  if (v === undefined && optional) return;
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024) fail(`event field ${field} must be a non-empty string`);
}

function num(o: Record<string, unknown>, field: string): void {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`event field ${field} must be a number`);
}

function validateEvent(value: unknown): asserts value is ClusterEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('event must be a JSON object');
  const o = value as Record<string, unknown>;
  if (o.v !== EVENT_VERSION) fail(`unsupported event version ${JSON.stringify(o.v)}`);
  if (typeof o.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(o.type)) {
    fail(`unknown event type ${JSON.stringify(o.type)}`);
  }
  num(o, 'ts');
  str(o, 'nodeId');
  switch (o.type as EventType) {
    case 'stream.published':
      for (const f of ['key', 'app', 'name', 'originId', 'originAddress']) str(o, f);
      num(o, 'epoch');
      if (o.codecs !== undefined && (typeof o.codecs !== 'object' || o.codecs === null)) fail('codecs must be an object');
      break;
    case 'stream.unpublished':
      for (const f of ['key', 'app', 'name', 'originId', 'reason']) str(o, f);
      num(o, 'epoch');
      break;
    case 'node.up':
    case 'node.draining':
    case 'node.down':
      str(o, 'role');
      str(o, 'address');
      str(o, 'reportedBy', true);
      break;
    case 'session.kicked':
      str(o, 'sessionId');
      str(o, 'reason');
      str(o, 'key', true);
      if (o.kind !== 'publisher' && o.kind !== 'player' && o.kind !== 'relay') fail('session.kicked kind is invalid');
      break;
  }
  if (typeof o.key === 'string') {
    const { app, name } = streamKey(o.key);
    if ('app' in o && (o.app !== app || o.name !== name)) fail("event key must equal 'app/name' of its app and name");
  }
}

/** A key by the core rule; a bad one is this package's INVALID_ARGUMENT. */
export function streamKey(key: string): StreamKey {
  try {
    return parseStreamKey(key);
  } catch (err) {
    if (isStreamKeyError(err)) throw new EventBusError('INVALID_ARGUMENT', err.message, { cause: err });
    throw err;
  }
}

import { EventBusError } from './errors.js';
import { type ClusterEvent, EVENT_TYPES, type EventFilter, type EventType, streamKey } from './events.js';

/**
 * NATS subject scheme (P = subject prefix, default 'rtmpc'; every variable part is one encoded token):
 *   P.v1.stream.published.<app>.<name>
 *   P.v1.stream.unpublished.<app>.<name>
 *   P.v1.node.<nodeId>.up | .draining | .down
 *   P.v1.session.kicked.<nodeId>
 *   P.v1.node.<nodeId>.cmd                 (request/reply node commands)
 *
 * Token encoding: [A-Za-z0-9_-] pass through; every other UTF-8 byte (including '.', '*', '>', spaces
 * and '~') becomes '~XX' (two upper-case hex digits). The result is a valid single NATS token, is
 * reversible, and keeps plain names readable ('cam1' stays 'cam1', 'a.b' becomes 'a~2Eb').
 */
const PLAIN = /^[A-Za-z0-9_-]$/;

export function encodeToken(value: string): string {
  if (value.length === 0) throw new EventBusError('INVALID_ARGUMENT', 'subject token must not be empty');
  let out = '';
  for (const ch of value) {
    if (PLAIN.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

export function decodeToken(token: string): string {
  if (!/^(?:[A-Za-z0-9_-]|~[0-9A-F]{2})+$/.test(token)) {
    throw new EventBusError('INVALID_ARGUMENT', `not an encoded subject token: ${JSON.stringify(token)}`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    if (token[i] === '~') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function validateSubjectPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) {
    throw new EventBusError('INVALID_ARGUMENT', `subject prefix must be dot-separated plain tokens: ${JSON.stringify(prefix)}`);
  }
}

export class SubjectScheme {
  private readonly base: string;
  constructor(readonly prefix = 'rtmpc') {
    validateSubjectPrefix(prefix);
    this.base = `${prefix}.v1`;
  }

  forEvent(event: ClusterEvent): string {
    switch (event.type) {
      case 'stream.published':
      case 'stream.unpublished':
        return `${this.base}.${event.type}.${encodeToken(event.app)}.${encodeToken(event.name)}`;
      case 'node.up':
      case 'node.draining':
      case 'node.down':
        return `${this.base}.node.${encodeToken(event.nodeId)}.${event.type.slice('node.'.length)}`;
      case 'session.kicked':
        return `${this.base}.session.kicked.${encodeToken(event.nodeId)}`;
    }
  }

  commands(nodeId: string): string {
    return `${this.base}.node.${encodeToken(nodeId)}.cmd`;
  }

  /** The smallest set of subscriptions that delivers every event the filter could match. */
  forFilter(filter: EventFilter): string[] {
    const types: readonly EventType[] = filter.types && filter.types.length > 0 ? filter.types : EVENT_TYPES;
    const node = filter.nodeId !== undefined ? encodeToken(filter.nodeId) : '*';
    let app = '*';
    let name = '*';
    if (filter.key !== undefined) {
      const key = streamKey(filter.key);
      app = encodeToken(key.app);
      name = encodeToken(key.name);
    } else if (filter.app !== undefined) {
      app = encodeToken(filter.app);
    }
    const subjects = new Set<string>();
    for (const type of types) {
      switch (type) {
        case 'stream.published':
        case 'stream.unpublished':
          subjects.add(`${this.base}.${type}.${app}.${name}`);
          break;
        case 'node.up':
        case 'node.draining':
        case 'node.down':
          subjects.add(`${this.base}.node.${node}.${type.slice('node.'.length)}`);
          break;
        case 'session.kicked':
          subjects.add(`${this.base}.session.kicked.${node}`);
          break;
      }
    }
    return [...subjects];
  }
}

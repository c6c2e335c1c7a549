import { CodedError } from './CodedError.js';

/**
 * THE stream key rule, used by every package (server, hub, auth, registry, events, relay, control):
 *
 *   path = <app> '/' <name>     app: what RTMP connect carried, name: what publish/play carried, queries cut off
 *   app  = the first segment of the path, name = the rest (the name may contain '/')
 *
 * So connect app 'premium/a' + name 'b', app 'premium' + name 'a/b' and the URL rtmp://h/premium/a/b are one
 * stream, 'premium/a/b' with app 'premium': the access policy, the hub, the registry and a player all see the
 * same app. A key is also a URL path (HTTP-FLV, HLS), a Redis key and (encoded) NATS subject tokens, so a segment
 * is 1+ characters of the URL path set that needs no escaping (RFC 3986 pchar without '%'), and never '.' or '..'.
 */
export const MAX_APP_LENGTH = 128;
export const MAX_NAME_LENGTH = 256;
export const MAX_STREAM_KEY_LENGTH = MAX_APP_LENGTH + 1 + MAX_NAME_LENGTH;

const SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;

export type StreamKeyProblem = 'empty' | 'too-long' | 'no-name' | 'bad-character' | 'bad-segment';

/** A name or key that breaks the rule. One stable code; `problem` says which part of the rule. */
export class StreamKeyError extends CodedError<'INVALID_STREAM_KEY'> {
  override readonly name = 'StreamKeyError';
  readonly domain = 'stream';
  constructor(
    readonly problem: StreamKeyProblem,
    message: string,
  ) {
    super('INVALID_STREAM_KEY', message);
  }
}

export function isStreamKeyError(err: unknown): err is StreamKeyError {
  return err instanceof StreamKeyError;
}

export interface StreamKey {
  /** the first path segment ('live') */
  readonly app: string;
  /** everything after it ('cam1', 'a/b') */
  readonly name: string;
  /** `${app}/${name}` */
  readonly key: string;
}

/** Query parameters, decoded; the first value wins for a repeated name. */
export type QueryParams = Record<string, string>;

export interface RtmpStreamKey extends StreamKey {
  /** the query of the connect app ('live?token=x') */
  readonly appQuery: QueryParams;
  /** the query of the publish/play name ('cam1?token=x') */
  readonly nameQuery: QueryParams;
}

/** 'cam1?token=x&a=1' -> path 'cam1', query { token: 'x', a: '1' }. */
export function splitQuery(raw: string): { path: string; query: QueryParams } {
  const q = raw.indexOf('?');
  const query: QueryParams = {};
  if (q < 0) return { path: raw, query };
  for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) {
    if (Object.prototype.hasOwnProperty.call(query, k)) continue;
    // A plain assignment to '__proto__' would replace the prototype instead of adding a parameter.
    if (k === '__proto__') Object.defineProperty(query, k, { value: v, enumerable: true, writable: true, configurable: true });
    else query[k] = v;
  }
  return { path: raw.slice(0, q), query };
}

/** Parses a canonical key 'app/name...' (no query). Throws StreamKeyError. */
export function parseStreamKey(key: string): StreamKey {
  if (typeof key !== 'string' || key.length === 0) throw new StreamKeyError('empty', 'stream key must be a non-empty string');
  if (key.length > MAX_STREAM_KEY_LENGTH) {
    throw new StreamKeyError('too-long', `stream key longer than ${MAX_STREAM_KEY_LENGTH} characters`);
  }
  const slash = key.indexOf('/');
  if (slash < 0) throw new StreamKeyError('no-name', `stream key must be 'app/name': ${JSON.stringify(key)}`);
  const app = key.slice(0, slash);
  const name = key.slice(slash + 1);
  checkPart('app', app, MAX_APP_LENGTH, key);
  checkPart('name', name, MAX_NAME_LENGTH, key);
  return { app, name, key };
}

/**
 * The key of an RTMP publish/play: connect app and stream name, each with its query, joined and split by the
 * rule. Leading/trailing '/' of the app are dropped (clients send 'live/' for rtmp://h/live/).
 */
export function rtmpStreamKey(rawApp: string, rawName: string): RtmpStreamKey {
  const app = splitQuery(rawApp);
  const name = splitQuery(rawName);
  const appPath = trimSlashes(app.path);
  if (appPath.length === 0) throw new StreamKeyError('empty', 'stream app is empty');
  if (name.path.length === 0) throw new StreamKeyError('no-name', 'stream name is empty');
  return { ...parseStreamKey(`${appPath}/${name.path}`), appQuery: app.query, nameQuery: name.query };
}

/** The key of a request path like '/live/cam1?token=x' (HTTP delivery). */
export function pathStreamKey(rawPath: string): StreamKey & { query: QueryParams } {
  const { path, query } = splitQuery(rawPath);
  return { ...parseStreamKey(trimSlashes(path)), query };
}

/** app + name -> key. The app is one segment; a name with '/' is fine. Throws StreamKeyError. */
export function formatStreamKey(app: string, name: string): string {
  if (typeof app === 'string' && app.includes('/')) {
    throw new StreamKeyError('bad-character', `stream app must not contain '/': ${JSON.stringify(app)}`);
  }
  return parseStreamKey(`${app}/${name}`).key;
}

export function isValidStreamKey(key: string): boolean {
  try {
    parseStreamKey(key);
    return true;
  } catch {
    return false;
  }
}

/** app + name as a StreamKey, validated. */
export function streamKeyOf(app: string, name: string): StreamKey {
  return { app, name, key: formatStreamKey(app, name) };
}

function checkPart(what: 'app' | 'name', value: string, max: number, key: string): void {
  if (value.length === 0) throw new StreamKeyError(what === 'app' ? 'empty' : 'no-name', `stream ${what} is empty in ${JSON.stringify(key)}`);
  if (value.length > max) throw new StreamKeyError('too-long', `stream ${what} longer than ${max} characters`);
  for (const segment of value.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new StreamKeyError('bad-segment', `stream ${what} has an empty, '.' or '..' segment: ${JSON.stringify(key)}`);
    }
    if (!SEGMENT.test(segment)) {
      throw new StreamKeyError(
        'bad-character',
        `stream ${what} may contain only letters, digits and -._~!$&'()*+,;=:@ (got ${JSON.stringify(value)})`,
      );
    }
  }
}

function trimSlashes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) === 0x2f) start++;
  while (end > start && s.charCodeAt(end - 1) === 0x2f) end--;
  return s.slice(start, end);
}

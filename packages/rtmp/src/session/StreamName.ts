import type { QueryParams } from './SessionTypes.js';

/** A stream name split at its query: 'key?token=abc' -> { name: 'key', query: { token: 'abc' } }. */
export interface ParsedStreamName {
  name: string;
  query: QueryParams;
}

function parseQuery(search: string): QueryParams {
  const query: QueryParams = {};
  if (search === '') return query;
  // URLSearchParams decodes '+' and %xx the way OBS/ffmpeg users expect for stream keys.
  for (const [key, value] of new URLSearchParams(search)) query[key] = value;
  return query;
}

export function parseStreamName(raw: string): ParsedStreamName {
  const q = raw.indexOf('?');
  if (q < 0) return { name: raw, query: {} };
  return { name: raw.slice(0, q), query: parseQuery(raw.slice(q + 1)) };
}

/**
 * The app of a connect, without query and surrounding slashes, and the query carried by the app
 * ('live?token=x') or, failing that, by the tcUrl ('rtmp://h/live?token=x').
 */
export function parseConnectApp(rawApp: string, tcUrl: string | undefined): ParsedStreamName {
  const { name, query } = parseStreamName(rawApp);
  const app = name.replace(/^\/+|\/+$/g, '');
  if (Object.keys(query).length > 0 || tcUrl === undefined) return { name: app, query };
  const q = tcUrl.indexOf('?');
  return { name: app, query: q < 0 ? {} : parseQuery(tcUrl.slice(q + 1)) };
}

/** Play start values that mean "live": -2 (live or recorded), -1, -1000, -2000 (ffmpeg) and 0 (librtmp default). */
export function isLivePlayStart(start: number): boolean {
  return start <= 0;
}

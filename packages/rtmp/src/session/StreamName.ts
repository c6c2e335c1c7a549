import { parseStreamName, type StreamName } from '../command.js';

/**
 * The app of a connect, without query and surrounding slashes, and the query carried by the app
 * ('live?token=x') or, failing that, by the tcUrl ('rtmp://h/live?token=x').
 */
export function parseConnectApp(rawApp: string, tcUrl: string | undefined): StreamName {
  const { name, query } = parseStreamName(rawApp);
  const app = name.replace(/^\/+|\/+$/g, '');
  if (Object.keys(query).length > 0 || tcUrl === undefined) return { name: app, query };
  return { name: app, query: parseStreamName(tcUrl).query };
}

/** Play start values that mean "live": -2 (live or recorded), -1, -1000, -2000 (ffmpeg) and 0 (librtmp default). */
export function isLivePlayStart(start: number): boolean {
  return start <= 0;
}

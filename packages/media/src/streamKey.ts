import { HubError } from './HubError.js';

/** The hub's stream key: 'app/name' (app may itself contain '/', e.g. 'live/sub'). */
export function streamKey(app: string, name: string): string {
  if (app.length === 0 || name.length === 0) {
    throw new HubError('INVALID_STREAM_KEY', `stream key needs an app and a name (got app '${app}', name '${name}')`);
  }
  return `${app}/${name}`;
}

export function assertStreamKey(key: string): void {
  const slash = key.lastIndexOf('/');
  if (slash <= 0 || slash === key.length - 1) {
    throw new HubError('INVALID_STREAM_KEY', `stream key must be 'app/name', got '${key}'`);
  }
}

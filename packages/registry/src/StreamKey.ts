import { RegistryError } from './errors.js';

/** Upper bounds keep registry keys, Redis keys and NATS subjects small. */
export const MAX_APP_LENGTH = 128;
export const MAX_NAME_LENGTH = 256;
export const MAX_NODE_ID_LENGTH = 128;

// Control characters would corrupt logs, Redis keys and NATS subjects. The key is 'app/name' split at
// the FIRST '/': an app never contains '/', a name may (e.g. 'live' + 'cam/1' -> 'live/cam/1').
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface StreamKeyParts {
  app: string;
  name: string;
}

export function formatStreamKey(app: string, name: string): string {
  validateStreamPart('app', app, MAX_APP_LENGTH);
  validateStreamPart('name', name, MAX_NAME_LENGTH);
  if (app.includes('/')) {
    throw new RegistryError('INVALID_ARGUMENT', `stream app must not contain '/': ${JSON.stringify(app)}`);
  }
  return `${app}/${name}`;
}

/** Splits 'app/name' at the first '/'. */
export function parseStreamKey(key: string): StreamKeyParts {
  if (typeof key !== 'string') throw new RegistryError('INVALID_ARGUMENT', 'stream key must be a string');
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) {
    throw new RegistryError('INVALID_ARGUMENT', `stream key must be 'app/name': ${JSON.stringify(key)}`);
  }
  const app = key.slice(0, slash);
  const name = key.slice(slash + 1);
  validateStreamPart('app', app, MAX_APP_LENGTH);
  validateStreamPart('name', name, MAX_NAME_LENGTH);
  return { app, name };
}

function validateStreamPart(what: string, value: string, max: number): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new RegistryError('INVALID_ARGUMENT', `stream ${what} must be a non-empty string`);
  }
  if (value.length > max) {
    throw new RegistryError('INVALID_ARGUMENT', `stream ${what} longer than ${max} characters`);
  }
  if (CONTROL.test(value)) {
    throw new RegistryError('INVALID_ARGUMENT', `stream ${what} contains control characters`);
  }
}

export function validateNodeId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NODE_ID_LENGTH || CONTROL.test(id)) {
    throw new RegistryError(
      'INVALID_ARGUMENT',
      `node id must be 1..${MAX_NODE_ID_LENGTH} printable characters: ${JSON.stringify(id)}`,
    );
  }
}

export function validatePositiveMs(what: string, ms: number): void {
  if (!Number.isInteger(ms) || ms <= 0 || ms > 86_400_000) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be an integer number of ms in 1..86400000, got ${ms}`);
  }
}

export function validateEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 1) {
    throw new RegistryError('INVALID_ARGUMENT', `epoch must be a positive integer, got ${epoch}`);
  }
}

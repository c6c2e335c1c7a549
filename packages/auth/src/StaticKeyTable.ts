import { isValidStreamKey } from '@rtmp-cluster/core';
import { AuthError } from './AuthError.js';
import { constantTimeEqual } from './constantTimeEqual.js';

/** The query parameters a static stream key may travel in (`cam1?key=...` is the usual OBS "stream key"). */
export const STATIC_KEY_QUERY_PARAMS = ['key', 'token'] as const;

/**
 * Static per-stream keys: 'app/name' -> key or keys, with 'app/*' as the fallback for every name in the app.
 * An exact entry wins over the wildcard (a stream with its own key is not opened by the app-wide key).
 */
export type StaticKeysConfig = Record<string, string | string[]>;

/** Why a staticKeys entry cannot be used (its path is not a stream key or 'app/*', or it has no key), or undefined. */
export function staticKeyEntryProblem(path: string, value: unknown): string | undefined {
  const wildcardApp = path.endsWith('/*') ? path.slice(0, -2) : undefined;
  const validPath = wildcardApp === undefined ? isValidStreamKey(path) : !wildcardApp.includes('/') && isValidStreamKey(`${wildcardApp}/x`);
  if (!validPath) return `staticKeys: '${path}' must be a stream key 'app/name' or 'app/*'`;
  const keys = Array.isArray(value) ? value : [value];
  if (keys.length === 0 || keys.some((k) => typeof k !== 'string' || k === '')) {
    return `staticKeys['${path}']: must be a non-empty string or a non-empty list of them`;
  }
  return undefined;
}

export class StaticKeyTable {
  readonly #entries: ReadonlyMap<string, readonly string[]>;

  constructor(config: StaticKeysConfig) {
    const entries = new Map<string, string[]>();
    for (const [path, value] of Object.entries(config)) {
      const problem = staticKeyEntryProblem(path, value);
      if (problem !== undefined) throw new AuthError('AUTH_CONFIG_INVALID', problem);
      entries.set(path, Array.isArray(value) ? [...value] : [value]);
    }
    this.#entries = entries;
  }

  /** The keys that open app/name, or undefined when the table has no entry for it. */
  keysFor(app: string, name: string): readonly string[] | undefined {
    return this.#entries.get(`${app}/${name}`) ?? this.#entries.get(`${app}/*`);
  }

  /** true when presented equals one of the keys of app/name. Every key is compared, in constant time each. */
  matches(app: string, name: string, presented: string): boolean {
    const keys = this.keysFor(app, name);
    if (keys === undefined) return false;
    let found = false;
    for (const key of keys) found = constantTimeEqual(presented, key) || found;
    return found;
  }
}

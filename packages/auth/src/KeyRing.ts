import { AuthError } from './AuthError.js';

/** One HMAC secret and the id a token names it by. Several may be active at once (rotation). */
export interface SigningKey {
  id: string;
  secret: string;
}

/** Key ids travel inside tokens, so they are restricted to URL-safe characters and kept short. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** A shorter secret is guessable offline from one captured token. */
export const MIN_SECRET_LENGTH = 16;

/** The configured signing keys by id. Immutable: rotation builds a new ring (or a new AccessPolicy). */
export class KeyRing {
  readonly #byId: ReadonlyMap<string, string>;

  constructor(keys: readonly SigningKey[]) {
    const byId = new Map<string, string>();
    for (const [i, key] of keys.entries()) {
      const problem = describeKeyProblem(key);
      if (problem !== undefined) throw new AuthError('AUTH_CONFIG_INVALID', `keys[${i}]: ${problem}`);
      if (byId.has(key.id)) throw new AuthError('AUTH_CONFIG_INVALID', `keys[${i}]: duplicate key id '${key.id}'`);
      byId.set(key.id, key.secret);
    }
    this.#byId = byId;
  }

  secretFor(keyId: string): string | undefined {
    return this.#byId.get(keyId);
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  get size(): number {
    return this.#byId.size;
  }
}

/** Why a key is unusable, or undefined when it is fine. Never quotes the secret. */
export function describeKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'object' || key === null) return 'must be an object { id, secret }';
  const { id, secret } = key as { id?: unknown; secret?: unknown };
  if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) {
    return 'id must be 1-32 characters of A-Z a-z 0-9 _ -';
  }
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    return `secret of key '${id}' must be a string of at least ${MIN_SECRET_LENGTH} characters`;
  }
  return undefined;
}

/**
 * Parses a key list `KID:SECRET,KID2:SECRET2` (the RTMPC_AUTH_KEYS format) into the well-formed keys and one problem
 * per bad entry, named by position: an entry holds a secret, so its text is never quoted.
 */
export function parseSigningKeyList(text: string): { keys: SigningKey[]; problems: string[] } {
  const keys: SigningKey[] = [];
  const problems: string[] = [];
  text.split(',').forEach((entry, i) => {
    const item = entry.trim();
    const colon = item.indexOf(':');
    if (colon <= 0 || colon === item.length - 1) problems.push(`entry ${i + 1} must be KEY_ID:SECRET`);
    else keys.push({ id: item.slice(0, colon), secret: item.slice(colon + 1) });
  });
  return { keys, problems };
}

/**
 * Credentials clients put in URLs and queries (stream tokens, static keys, the relay credential) must never
 * reach a log line, a webhook's tcUrl or an error message sent back over the wire. One list of parameter
 * names and one rule, used by the node's logger for every line and by the code that builds client messages.
 */

/** query parameter and object field names whose values are credentials (compared without case) */
export const SECRET_PARAMS: readonly string[] = ['token', 'key', 'rtmpcRelayToken'];

export const REDACTED = '[redacted]';

const SECRET_SET = new Set(SECRET_PARAMS.map((p) => p.toLowerCase()));
// name=value after '?', '&' or ';', in URLs, stream names and free text ("rtmp://h/live?token=k1.1.x").
const SECRET_IN_TEXT = new RegExp(`([?&;](?:${SECRET_PARAMS.join('|')})=)[^&\\s"'#;]*`, 'gi');

export function isSecretParam(name: string): boolean {
  return SECRET_SET.has(name.toLowerCase());
}

/** The text with the value of every credential parameter replaced: 'live/cam?token=abc' -> 'live/cam?token=[redacted]'. */
export function redactText(text: string): string {
  return text.includes('=') ? text.replace(SECRET_IN_TEXT, `$1${REDACTED}`) : text;
}

/**
 * A copy of `value` with credentials redacted: strings through redactText, fields named like a credential
 * replaced. Walks plain objects and arrays a few levels deep (log fields are shallow); other objects are kept.
 */
export function redactSecrets<T>(value: T, depth = 4): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecrets(v, depth - 1)) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretParam(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redactSecrets(v, depth - 1);
  }
  return out as T;
}

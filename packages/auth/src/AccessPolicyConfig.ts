/**
 * Configuration of an AccessPolicy, and its validation by hand (the package has no schema library). The node's
 * settings schema checks the environment shortcuts first; validateAccessPolicyConfig checks the assembled policy.
 */
import { AuthError } from './AuthError.js';
import { describeKeyProblem, type SigningKey } from './KeyRing.js';
import { staticKeyEntryProblem, type StaticKeysConfig } from './StaticKeyTable.js';
import type { WebhookConfig } from './WebhookClient.js';

/**
 * - none: allow everyone
 * - token: a signed token (StreamToken.ts) for this action, app and name, signed with one of `keys`
 * - static: a key from `staticKeys` for 'app/name' (or 'app/*')
 * - webhook: ask `webhook.url`
 */
export type AuthMode = 'none' | 'token' | 'static' | 'webhook';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'token', 'static', 'webhook'];

/** A mode for every app, with per-app overrides. */
export interface AccessRule {
  /** default 'none' */
  mode?: AuthMode;
  /** app -> mode, overriding `mode` for that app */
  apps?: Record<string, AuthMode>;
}

export interface AccessPolicyConfig {
  publish?: AccessRule;
  play?: AccessRule;
  /** signing keys for mode 'token'; several at once during rotation */
  keys?: SigningKey[];
  /** keys for mode 'static' */
  staticKeys?: StaticKeysConfig;
  /** the service for mode 'webhook' */
  webhook?: WebhookConfig;
  /** tolerance on token expiry; default 30 */
  clockSkewSeconds?: number;
  /** RTMPC_RELAY_TOKEN: connections presenting it pass play auth (edges pulling from origins) */
  relayToken?: string;
}

const TOP_LEVEL_FIELDS = new Set(['publish', 'play', 'keys', 'staticKeys', 'webhook', 'clockSkewSeconds', 'relayToken']);

/**
 * Checks `raw` and returns it typed; throws AuthError('AUTH_CONFIG_INVALID') listing every problem (one per
 * line, each prefixed with its path). Secrets are never quoted in messages.
 */
export function validateAccessPolicyConfig(raw: unknown): AccessPolicyConfig {
  const problems: string[] = [];
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new AuthError('AUTH_CONFIG_INVALID', 'auth config must be an object');

  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_FIELDS.has(key)) problems.push(`${key}: unknown field`);
  }
  const usedModes = new Set<AuthMode>();
  for (const action of ['publish', 'play'] as const) {
    const rule = raw[action];
    if (rule === undefined) continue;
    if (!isPlainObject(rule)) {
      problems.push(`${action}: must be an object { mode, apps }`);
      continue;
    }
    for (const key of Object.keys(rule)) {
      if (key !== 'mode' && key !== 'apps') problems.push(`${action}.${key}: unknown field`);
    }
    if (rule['mode'] !== undefined) {
      if (isMode(rule['mode'])) usedModes.add(rule['mode']);
      else problems.push(`${action}.mode: must be one of ${AUTH_MODES.join(', ')}`);
    }
    const apps = rule['apps'];
    if (apps !== undefined) {
      if (!isPlainObject(apps)) problems.push(`${action}.apps: must be an object { app: mode }`);
      else {
        for (const [app, mode] of Object.entries(apps)) {
          if (app === '') problems.push(`${action}.apps: app name must not be empty`);
          if (isMode(mode)) usedModes.add(mode);
          else problems.push(`${action}.apps.${app}: must be one of ${AUTH_MODES.join(', ')}`);
        }
      }
    }
  }

  const keys = raw['keys'];
  if (keys !== undefined) {
    if (!Array.isArray(keys)) problems.push('keys: must be a list of { id, secret }');
    else {
      const seen = new Set<string>();
      keys.forEach((key: unknown, i) => {
        const problem = describeKeyProblem(key);
        if (problem !== undefined) problems.push(`keys[${i}]: ${problem}`);
        else {
          const id = (key as SigningKey).id;
          if (seen.has(id)) problems.push(`keys[${i}]: duplicate key id '${id}'`);
          seen.add(id);
        }
      });
    }
  }
  if (usedModes.has('token') && (!Array.isArray(keys) || keys.length === 0)) {
    problems.push("keys: mode 'token' needs at least one signing key");
  }

  const staticKeys = raw['staticKeys'];
  problems.push(
    ...entryProblems(staticKeys, "staticKeys: must be an object { 'app/name': key | [keys] }", (path, value) => [staticKeyEntryProblem(path, value)]),
  );
  if (usedModes.has('static') && (!isPlainObject(staticKeys) || Object.keys(staticKeys).length === 0)) {
    problems.push("staticKeys: mode 'static' needs at least one entry");
  }

  const webhook = raw['webhook'];
  if (webhook !== undefined) {
    if (!isPlainObject(webhook)) problems.push('webhook: must be an object { url, timeoutMs, failOpen, headers }');
    else problems.push(...webhookProblems(webhook));
  }
  if (usedModes.has('webhook') && webhook === undefined) problems.push("webhook: mode 'webhook' needs webhook.url");

  const skew = raw['clockSkewSeconds'];
  if (skew !== undefined && !isIntegerIn(skew, 0, 3600)) {
    problems.push('clockSkewSeconds: must be an integer 0..3600');
  }
  const relayToken = raw['relayToken'];
  if (relayToken !== undefined && !(typeof relayToken === 'string' && relayToken !== '')) {
    problems.push('relayToken: must be a non-empty string');
  }

  if (problems.length > 0) throw new AuthError('AUTH_CONFIG_INVALID', `invalid auth config:\n${problems.join('\n')}`);
  return raw as AccessPolicyConfig;
}

function webhookProblems(webhook: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(webhook)) {
    if (!['url', 'timeoutMs', 'failOpen', 'headers'].includes(key)) problems.push(`webhook.${key}: unknown field`);
  }
  const url = webhook['url'];
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  // The URL may carry credentials, so it is not echoed back.
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    problems.push('webhook.url: must be an http:// or https:// URL');
  }
  const timeoutMs = webhook['timeoutMs'];
  if (timeoutMs !== undefined && !isIntegerIn(timeoutMs, 1, 60_000)) {
    problems.push('webhook.timeoutMs: must be an integer 1..60000');
  }
  if (webhook['failOpen'] !== undefined && typeof webhook['failOpen'] !== 'boolean') {
    problems.push('webhook.failOpen: must be true or false');
  }
  problems.push(
    ...entryProblems(webhook['headers'], 'webhook.headers: must be an object { name: value }', (name, value) => [
      /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) ? undefined : `webhook.headers: '${name}' is not a valid header name`,
      // eslint-disable-next-line no-control-regex
      typeof value === 'string' && !/[\r\n\u0000]/.test(value) ? undefined : `webhook.headers.${name}: must be a single-line string`,
    ]),
  );
  return problems;
}

/** An optional `{ name: value }` field: `notAnObject` when it is something else, else what `entry` finds wrong per entry. */
function entryProblems(map: unknown, notAnObject: string, entry: (name: string, value: unknown) => Array<string | undefined>): string[] {
  if (map === undefined) return [];
  if (!isPlainObject(map)) return [notAnObject];
  return Object.entries(map).flatMap(([name, value]) => entry(name, value).filter((p): p is string => p !== undefined));
}

function isIntegerIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isMode(v: unknown): v is AuthMode {
  return typeof v === 'string' && (AUTH_MODES as readonly string[]).includes(v);
}

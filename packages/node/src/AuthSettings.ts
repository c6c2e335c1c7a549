/**
 * The `auth` part of the node configuration: an AccessPolicyConfig assembled from (lowest to highest)
 * the file named by RTMPC_AUTH_CONFIG, the `auth` object of the JSON config file, and environment shortcuts
 * for the common cases, then validated by the auth package. Problems name the setting the operator typed;
 * secrets (signing secrets, static keys, webhook URLs) are never echoed.
 *
 * | env | meaning |
 * |---|---|
 * | RTMPC_PUBLISH_AUTH / RTMPC_PLAY_AUTH | none, token, static or webhook (every app) |
 * | RTMPC_AUTH_KEYS | token signing keys: `k1:secret1,k2:secret2` (several during rotation) |
 * | RTMPC_AUTH_STATIC_KEYS | static stream keys: `live/cam1=key1,live/*=key2` (repeat a path for several keys) |
 * | RTMPC_AUTH_WEBHOOK_URL / _TIMEOUT_MS / _FAIL_OPEN | the decision webhook |
 * | RTMPC_AUTH_CLOCK_SKEW_SECONDS | token expiry tolerance |
 * RTMPC_RELAY_TOKEN becomes the policy's relayToken.
 */
import fs from 'node:fs';
import { AUTH_MODES, parseSigningKeyList, validateAccessPolicyConfig, type AccessPolicyConfig, type AuthMode } from '@rtmp-cluster/auth';

export const AUTH_ENV_NAMES: readonly string[] = [
  'RTMPC_PUBLISH_AUTH',
  'RTMPC_PLAY_AUTH',
  'RTMPC_AUTH_KEYS',
  'RTMPC_AUTH_STATIC_KEYS',
  'RTMPC_AUTH_WEBHOOK_URL',
  'RTMPC_AUTH_WEBHOOK_TIMEOUT_MS',
  'RTMPC_AUTH_WEBHOOK_FAIL_OPEN',
  'RTMPC_AUTH_CLOCK_SKEW_SECONDS',
];

export interface AuthSources {
  env: NodeJS.ProcessEnv;
  /** the `auth` value of the JSON config file, if present, and that file's path (for messages) */
  fileSection?: unknown;
  configFile?: string;
  /** RTMPC_AUTH_CONFIG: a JSON file holding an AccessPolicyConfig */
  authConfigFile?: string;
  relayToken?: string;
}

type Mutable = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * The effective AccessPolicyConfig, or undefined when no auth is configured anywhere (then nobody is asked
 * for credentials). Pushes one line per problem into `problems`.
 */
export function resolveAuthConfig(src: AuthSources, problems: string[]): AccessPolicyConfig | undefined {
  let config: Mutable = {};
  let given = false;

  if (src.authConfigFile !== undefined) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(src.authConfigFile, 'utf8'));
      if (!isObject(parsed)) problems.push(`RTMPC_AUTH_CONFIG ${src.authConfigFile}: expected a JSON object`);
      else {
        config = structuredClone(parsed);
        given = true;
      }
    } catch (err) {
      problems.push(`RTMPC_AUTH_CONFIG ${src.authConfigFile}: cannot read a JSON access policy (${(err as Error).message})`);
    }
  }
  if (src.fileSection !== undefined) {
    if (!isObject(src.fileSection)) problems.push(`auth (in ${src.configFile}): expected an object (the access policy)`);
    else {
      // One level deep: `publish`, `play`, `webhook` objects merge; lists and scalars replace.
      for (const [k, v] of Object.entries(structuredClone(src.fileSection))) {
        config[k] = isObject(v) && isObject(config[k]) ? { ...(config[k] as Mutable), ...v } : v;
      }
      given = true;
    }
  }

  const env = src.env;
  for (const [name, action] of [
    ['RTMPC_PUBLISH_AUTH', 'publish'],
    ['RTMPC_PLAY_AUTH', 'play'],
  ] as const) {
    const mode = value(env, name);
    if (mode === undefined) continue;
    given = true;
    if (!(AUTH_MODES as readonly string[]).includes(mode)) {
      problems.push(`${name}: expected one of ${AUTH_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
      continue;
    }
    const rule = isObject(config[action]) ? (config[action] as Mutable) : {};
    config[action] = { ...rule, mode: mode as AuthMode };
  }

  const keys = value(env, 'RTMPC_AUTH_KEYS');
  if (keys !== undefined) {
    given = true;
    const list = parseSigningKeyList(keys);
    for (const problem of list.problems) problems.push(`RTMPC_AUTH_KEYS: ${problem}`);
    config['keys'] = list.keys;
  }

  const staticKeys = value(env, 'RTMPC_AUTH_STATIC_KEYS');
  if (staticKeys !== undefined) {
    given = true;
    const table: Record<string, string[]> = {};
    staticKeys.split(',').forEach((entry, i) => {
      const item = entry.trim();
      const eq = item.indexOf('=');
      if (eq <= 0 || eq === item.length - 1) {
        problems.push(`RTMPC_AUTH_STATIC_KEYS: entry ${i + 1} must be APP/NAME=KEY or APP/*=KEY`);
        return;
      }
      (table[item.slice(0, eq)] ??= []).push(item.slice(eq + 1));
    });
    config['staticKeys'] = table;
  }

  const webhookUrl = value(env, 'RTMPC_AUTH_WEBHOOK_URL');
  const webhookTimeout = value(env, 'RTMPC_AUTH_WEBHOOK_TIMEOUT_MS');
  const webhookFailOpen = value(env, 'RTMPC_AUTH_WEBHOOK_FAIL_OPEN');
  if (webhookUrl !== undefined || webhookTimeout !== undefined || webhookFailOpen !== undefined) {
    given = true;
    const webhook: Mutable = isObject(config['webhook']) ? { ...(config['webhook'] as Mutable) } : {};
    if (webhookUrl !== undefined) webhook['url'] = webhookUrl;
    if (webhookTimeout !== undefined) {
      if (/^\d+$/.test(webhookTimeout)) webhook['timeoutMs'] = Number(webhookTimeout);
      else problems.push(`RTMPC_AUTH_WEBHOOK_TIMEOUT_MS: expected an integer 1-60000 (ms), got ${JSON.stringify(webhookTimeout)}`);
    }
    if (webhookFailOpen !== undefined) {
      if (/^(true|false|1|0)$/i.test(webhookFailOpen)) webhook['failOpen'] = /^(true|1)$/i.test(webhookFailOpen);
      else problems.push(`RTMPC_AUTH_WEBHOOK_FAIL_OPEN: expected true or false, got ${JSON.stringify(webhookFailOpen)}`);
    }
    config['webhook'] = webhook;
  }

  const skew = value(env, 'RTMPC_AUTH_CLOCK_SKEW_SECONDS');
  if (skew !== undefined) {
    given = true;
    if (/^\d+$/.test(skew)) config['clockSkewSeconds'] = Number(skew);
    else problems.push(`RTMPC_AUTH_CLOCK_SKEW_SECONDS: expected an integer 0-3600, got ${JSON.stringify(skew)}`);
  }

  if (!given) return undefined;
  if (src.relayToken !== undefined) config['relayToken'] = src.relayToken;
  try {
    return validateAccessPolicyConfig(config);
  } catch (err) {
    // The auth package lists one problem per line, prefixed with its path and without secrets.
    const lines = (err as Error).message.split('\n').slice(1);
    for (const line of lines.length > 0 ? lines : [(err as Error).message]) problems.push(`auth: ${line}`);
    return undefined;
  }
}

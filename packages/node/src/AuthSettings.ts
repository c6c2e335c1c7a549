/**
 * The `auth` part of the node configuration: an AccessPolicyConfig assembled from (lowest to highest)
 * the file named by RTMPC_AUTH_CONFIG, the `auth` object of the JSON config file, and the environment
 * shortcuts for the common cases (AUTH_SHORTCUTS in settings/schema.ts, already parsed), then validated by
 * the auth package. Problems name the setting the operator typed; secrets (signing secrets, static keys,
 * webhook URLs) are never echoed. RTMPC_RELAY_TOKEN becomes the policy's relayToken.
 */
import { nodeFs as fs } from '@rtmp-cluster/core';
import { validateAccessPolicyConfig, type AccessPolicyConfig } from '@rtmp-cluster/auth';
import { AUTH_SHORTCUTS, type AuthShortcuts } from './settings/schema.js';

/** The shortcut variables (documentation and tests). */
export const AUTH_ENV_NAMES: readonly string[] = AUTH_SHORTCUTS.map((s) => s.env);

export interface AuthSources {
  /** the parsed RTMPC_PUBLISH_AUTH / RTMPC_PLAY_AUTH / RTMPC_AUTH_* values (undefined = not set) */
  shortcuts: Partial<AuthShortcuts>;
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

  const sc = src.shortcuts;
  for (const [mode, action] of [
    [sc.publishAuth, 'publish'],
    [sc.playAuth, 'play'],
  ] as const) {
    if (mode === undefined) continue;
    given = true;
    const rule = isObject(config[action]) ? (config[action] as Mutable) : {};
    config[action] = { ...rule, mode };
  }
  if (sc.authKeys !== undefined) {
    given = true;
    config['keys'] = sc.authKeys;
  }
  if (sc.authStaticKeys !== undefined) {
    given = true;
    const table: Record<string, string[]> = {};
    for (const [path, key] of sc.authStaticKeys) (table[path] ??= []).push(key);
    config['staticKeys'] = table;
  }
  if (sc.authWebhookUrl !== undefined || sc.authWebhookTimeoutMs !== undefined || sc.authWebhookFailOpen !== undefined) {
    given = true;
    const webhook: Mutable = isObject(config['webhook']) ? { ...(config['webhook'] as Mutable) } : {};
    if (sc.authWebhookUrl !== undefined) webhook['url'] = sc.authWebhookUrl;
    if (sc.authWebhookTimeoutMs !== undefined) webhook['timeoutMs'] = sc.authWebhookTimeoutMs;
    if (sc.authWebhookFailOpen !== undefined) webhook['failOpen'] = sc.authWebhookFailOpen;
    config['webhook'] = webhook;
  }
  if (sc.authClockSkewSeconds !== undefined) {
    given = true;
    config['clockSkewSeconds'] = sc.authClockSkewSeconds;
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

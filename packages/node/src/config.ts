/**
 * Node configuration: defaults < JSON file < environment variables < command-line overrides, for the
 * settings declared in settings/schema.ts. Every value is validated on its own so a bad value is reported by
 * the name the operator typed, with what was expected and what was given; all problems are reported at once.
 */
import { nodeFs as fs } from '@rtmp-cluster/core';
import os from 'node:os';
import { CodedError } from '@rtmp-cluster/core';
import { resolveAuthConfig } from './AuthSettings.js';
import { closest, unknownVariableProblems } from './settings/environment.js';
import { AUTH_SHORTCUTS, isConfigFileKey, NODE_SETTINGS, SETTINGS, type AuthShortcuts } from './settings/schema.js';
import type { NodeConfig } from './settings/NodeConfig.js';
import type { SettingSpec } from './settings/SettingSpec.js';
import { settingConstraintProblems } from './settings/constraints.js';

export { NODE_ROLES, type NodeRole } from './settings/SettingSpec.js';
export type { NodeConfig } from './settings/NodeConfig.js';
export { LOG_LEVELS, DUPLICATE_PUBLISH_POLICIES, CLAIM_POLICIES, DEFAULT_MERGE_WINDOW_MS, type LogLevel } from './settings/schema.js';


/** A configuration the node refuses to start with; `problems` holds one line per bad value. */
export class ConfigError extends CodedError<'INVALID_CONFIGURATION'> {
  override readonly name = 'ConfigError';
  readonly domain = 'config';
  constructor(readonly problems: string[]) {
    super('INVALID_CONFIGURATION', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** The names a deployment can set, for documentation and tests. */
export const CONFIG_ENV_NAMES: readonly string[] = NODE_SETTINGS.map((s) => s.env);

/** The JSON file's keys besides the settings: `auth` holds an access policy (packages/auth/README.md). */
const JSON_SECTIONS = ['auth'];

function defaultOf(s: SettingSpec, hostname: string, config: Record<string, unknown>): unknown {
  return typeof s.default === 'function' ? s.default({ hostname, config }) : structuredClone(s.default);
}

/** Fills the settings not in `explicit` with their defaults; derived defaults see every other value. */
function applyDefaults(values: Record<string, unknown>, explicit: ReadonlySet<string>, hostname: string): void {
  for (const s of NODE_SETTINGS as readonly SettingSpec[]) {
    if (!explicit.has(s.key) && typeof s.default !== 'function') values[s.key] = defaultOf(s, hostname, values);
  }
  for (const s of NODE_SETTINGS as readonly SettingSpec[]) {
    if (!explicit.has(s.key) && typeof s.default === 'function') values[s.key] = defaultOf(s, hostname, values);
  }
}

export function defaultConfig(hostname: string = os.hostname()): NodeConfig {
  const values: Record<string, unknown> = { auth: undefined };
  applyDefaults(values, new Set(), hostname);
  return values as NodeConfig;
}

export interface LoadConfigInput {
  env?: NodeJS.ProcessEnv;
  /** path of a JSON config file (the CLI's --config; RTMPC_CONFIG when absent) */
  configFile?: string;
  /** settings that win over everything (the CLI's positional role) */
  overrides?: Partial<NodeConfig>;
  hostname?: string;
}

/** A bad value as the error message shows it: never a secret, never a password inside a URL. */
function describe(s: SettingSpec, v: unknown): string {
  if (s.secret) return 'a value not shown here (a secret)';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.replace(/(\/\/[^/:@\s"]*:)[^@/\s"]*@/g, '$1***@');
}

/** Reads a JSON config file: an object whose keys are NodeConfig keys. Throws ConfigError. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`config file ${path}: cannot read (${(err as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`config file ${path}: not valid JSON (${(err as Error).message})`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${path}: expected a JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

/** defaults < JSON file < environment < overrides; throws ConfigError listing every bad value. */
export function loadConfig(input: LoadConfigInput = {}): NodeConfig {
  const env = input.env ?? process.env;
  const hostname = input.hostname ?? os.hostname();
  const problems: string[] = unknownVariableProblems(env);
  const configFile = input.configFile ?? (env.RTMPC_CONFIG ? env.RTMPC_CONFIG : undefined);
  const fileValues = configFile !== undefined ? readConfigFile(configFile) : {};
  const jsonKeys = [...NODE_SETTINGS.map((s) => s.key as string), ...JSON_SECTIONS];
  for (const key of Object.keys(fileValues)) {
    if (jsonKeys.includes(key)) continue;
    const guess = closest(key, jsonKeys);
    problems.push(`config file ${configFile}: unknown setting "${key}"${guess !== undefined ? ` (did you mean "${guess}"?)` : ''}`);
  }

  const values: Record<string, unknown> = {};
  const explicit = new Set<string>();
  for (const s of SETTINGS) {
    const sources: Array<[string, unknown]> = [];
    if (isConfigFileKey(s.key) && s.key in fileValues) sources.push([`${s.key} (in ${configFile})`, fileValues[s.key]]);
    const envValue = env[s.env];
    // An empty value counts as unset (a chart leaves optional variables empty).
    if (envValue !== undefined && envValue !== '') sources.push([s.env, envValue]);
    const override = (input.overrides as Record<string, unknown> | undefined)?.[s.key];
    if (override !== undefined) sources.push([s.key, override]);
    for (const [name, raw] of sources) {
      const result = s.type.parse(raw);
      if (result.ok) {
        values[s.key] = result.value;
        explicit.add(s.key);
      } else if (result.problems !== undefined) {
        for (const p of result.problems) problems.push(`${name}: ${p}`);
      } else {
        problems.push(`${name}: expected ${s.type.expected}, got ${describe(s, raw)}`);
      }
    }
  }
  applyDefaults(values, explicit, hostname);
  const config = values as NodeConfig;
  const constraintProblems = settingConstraintProblems(config, configFile);
  problems.push(...constraintProblems.problems);
  const shortcuts = Object.fromEntries(AUTH_SHORTCUTS.map((s) => [s.key, values[s.key]])) as AuthShortcuts;
  for (const s of AUTH_SHORTCUTS) delete values[s.key];
  // The control plane authorizes no publish or play, so the media auth settings (shared through one ConfigMap in
  // the chart, while only origins and edges hold the signing keys) do not apply to it.
  config.auth = config.role === 'control' ? undefined : resolveAuthConfig(
    {
      shortcuts,
      fileSection: fileValues['auth'],
      configFile,
      // An unreadable policy file is already reported by the file check.
      authConfigFile: constraintProblems.unreadable.has('authConfigFile') ? undefined : config.authConfigFile,
      relayToken: config.relayToken,
    },
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

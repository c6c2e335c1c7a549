/**
 * Node configuration: defaults < JSON file < environment variables. Each setting has one env name (the Helm
 * chart and deploy/ scripts use exactly these) and one camelCase key in the JSON file. Every value is
 * validated on its own so a bad value is reported by the name the operator typed, with what was expected
 * and what was given.
 */
import fs from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

export const NODE_ROLES = ['all-in-one', 'origin', 'edge', 'control'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DUPLICATE_PUBLISH_POLICIES = ['reject', 'takeover'] as const;

export interface NodeConfig {
  role: NodeRole;
  nodeId: string;
  rtmpHost: string;
  rtmpPort: number;
  advertiseAddress: string;
  httpHost: string;
  httpPort: number;
  redisUrl: string;
  natsServers: string[];
  grpcHost: string;
  grpcPort: number;
  controlToken: string | undefined;
  relayToken: string | undefined;
  logLevel: LogLevel;
  drainTimeoutMs: number;
  chunkSize: number;
  playWaitMs: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  maxConnections: number;
  maxMessageSize: number;
  duplicatePublish: (typeof DUPLICATE_PUBLISH_POLICIES)[number];
}

/** A configuration the node refuses to start with; `problems` holds one line per bad value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

type Raw = unknown;

interface Setting {
  key: keyof NodeConfig;
  env: string;
  /** what a valid value looks like, for the error message */
  expected: string;
  schema: z.ZodType;
}

const MAX_MS = 24 * 3600 * 1000;

/** Env values are strings; file values may be numbers. Accept both for integers, strictly (no "12abc"). */
function intSetting(min: number, max: number): z.ZodType {
  return z.preprocess(
    (v: Raw) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );
}
const nonEmpty = z.string().trim().min(1);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/);
const url = (schemes: string[]): z.ZodType =>
  z.string().refine((s) => {
    try {
      return schemes.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  });
const urlList = z.preprocess(
  (v: Raw) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : v),
  z.array(url(['nats:', 'tls:', 'ws:', 'wss:'])).min(1),
);

const SETTINGS: Setting[] = [
  { key: 'role', env: 'RTMPC_ROLE', expected: `one of ${NODE_ROLES.join(', ')}`, schema: z.enum(NODE_ROLES) },
  { key: 'nodeId', env: 'RTMPC_NODE_ID', expected: 'a non-empty string', schema: nonEmpty },
  { key: 'rtmpHost', env: 'RTMPC_RTMP_HOST', expected: 'a host name or IP address', schema: nonEmpty },
  { key: 'rtmpPort', env: 'RTMPC_RTMP_PORT', expected: 'an integer 1-65535', schema: intSetting(1, 65535) },
  { key: 'advertiseAddress', env: 'RTMPC_ADVERTISE_ADDRESS', expected: 'host:port', schema: hostPort },
  { key: 'httpHost', env: 'RTMPC_HTTP_HOST', expected: 'a host name or IP address', schema: nonEmpty },
  { key: 'httpPort', env: 'RTMPC_HTTP_PORT', expected: 'an integer 1-65535', schema: intSetting(1, 65535) },
  { key: 'redisUrl', env: 'RTMPC_REDIS_URL', expected: 'a redis:// or rediss:// URL', schema: url(['redis:', 'rediss:']) },
  { key: 'natsServers', env: 'RTMPC_NATS_SERVERS', expected: 'comma-separated nats:// URLs', schema: urlList },
  { key: 'grpcHost', env: 'RTMPC_GRPC_HOST', expected: 'a host name or IP address', schema: nonEmpty },
  { key: 'grpcPort', env: 'RTMPC_GRPC_PORT', expected: 'an integer 1-65535', schema: intSetting(1, 65535) },
  { key: 'controlToken', env: 'RTMPC_CONTROL_TOKEN', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'relayToken', env: 'RTMPC_RELAY_TOKEN', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'logLevel', env: 'RTMPC_LOG_LEVEL', expected: `one of ${LOG_LEVELS.join(', ')}`, schema: z.enum(LOG_LEVELS) },
  { key: 'drainTimeoutMs', env: 'RTMPC_DRAIN_TIMEOUT_MS', expected: `an integer 0-${MAX_MS} (ms)`, schema: intSetting(0, MAX_MS) },
  { key: 'chunkSize', env: 'RTMPC_CHUNK_SIZE', expected: 'an integer 128-65536', schema: intSetting(128, 65536) },
  { key: 'playWaitMs', env: 'RTMPC_PLAY_WAIT_MS', expected: `an integer 0-${MAX_MS} (ms)`, schema: intSetting(0, MAX_MS) },
  { key: 'handshakeTimeoutMs', env: 'RTMPC_HANDSHAKE_TIMEOUT_MS', expected: 'an integer 100-600000 (ms)', schema: intSetting(100, 600_000) },
  { key: 'idleTimeoutMs', env: 'RTMPC_IDLE_TIMEOUT_MS', expected: 'an integer 1000-3600000 (ms)', schema: intSetting(1000, 3_600_000) },
  { key: 'pingIntervalMs', env: 'RTMPC_PING_INTERVAL_MS', expected: 'an integer 0-3600000 (ms, 0 = off)', schema: intSetting(0, 3_600_000) },
  { key: 'pingTimeoutMs', env: 'RTMPC_PING_TIMEOUT_MS', expected: 'an integer 1000-3600000 (ms)', schema: intSetting(1000, 3_600_000) },
  { key: 'maxConnections', env: 'RTMPC_MAX_CONNECTIONS', expected: 'an integer 1-1000000', schema: intSetting(1, 1_000_000) },
  { key: 'maxMessageSize', env: 'RTMPC_MAX_MESSAGE_SIZE', expected: 'an integer 1024-16777215 (bytes)', schema: intSetting(1024, 0xffffff) },
  {
    key: 'duplicatePublish',
    env: 'RTMPC_DUPLICATE_PUBLISH',
    expected: `one of ${DUPLICATE_PUBLISH_POLICIES.join(', ')}`,
    schema: z.enum(DUPLICATE_PUBLISH_POLICIES),
  },
];

/** The names a deployment can set, for documentation and tests. */
export const CONFIG_ENV_NAMES: readonly string[] = SETTINGS.map((s) => s.env);

export function defaultConfig(hostname: string = os.hostname()): NodeConfig {
  return {
    role: 'all-in-one',
    nodeId: hostname,
    rtmpHost: '0.0.0.0',
    rtmpPort: 1935,
    advertiseAddress: `${hostname}:1935`,
    httpHost: '0.0.0.0',
    httpPort: 8080,
    redisUrl: 'redis://127.0.0.1:6379',
    natsServers: ['nats://127.0.0.1:4222'],
    grpcHost: '0.0.0.0',
    grpcPort: 50051,
    controlToken: undefined,
    relayToken: undefined,
    logLevel: 'info',
    drainTimeoutMs: 30_000,
    chunkSize: 4096,
    playWaitMs: 10_000,
    handshakeTimeoutMs: 10_000,
    idleTimeoutMs: 30_000,
    pingIntervalMs: 10_000,
    pingTimeoutMs: 30_000,
    maxConnections: 10_000,
    maxMessageSize: 8 * 1024 * 1024,
    duplicatePublish: 'reject',
  };
}

export interface LoadConfigInput {
  env?: NodeJS.ProcessEnv;
  /** path of a JSON config file (the CLI's --config; RTMPC_CONFIG when absent) */
  configFile?: string;
  /** settings that win over everything (the CLI's positional role) */
  overrides?: Partial<NodeConfig>;
  hostname?: string;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
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
  const config = defaultConfig(hostname) as unknown as Record<string, unknown>;
  const problems: string[] = [];
  const configFile = input.configFile ?? (env.RTMPC_CONFIG ? env.RTMPC_CONFIG : undefined);
  const fileValues = configFile !== undefined ? readConfigFile(configFile) : {};
  const known = new Set(SETTINGS.map((s) => s.key as string));
  for (const key of Object.keys(fileValues)) {
    if (!known.has(key)) problems.push(`config file ${configFile}: unknown setting "${key}" (known: ${[...known].join(', ')})`);
  }
  let advertiseGiven = false;
  for (const s of SETTINGS) {
    const sources: Array<[string, unknown]> = [];
    if (s.key in fileValues) sources.push([`${s.key} (in ${configFile})`, fileValues[s.key]]);
    const envValue = env[s.env];
    if (envValue !== undefined && envValue !== '') sources.push([s.env, envValue]);
    const override = input.overrides?.[s.key];
    if (override !== undefined) sources.push([s.key, override]);
    for (const [name, raw] of sources) {
      const result = s.schema.safeParse(raw);
      if (result.success) {
        config[s.key] = result.data;
        if (s.key === 'advertiseAddress') advertiseGiven = true;
      } else {
        problems.push(`${name}: expected ${s.expected}, got ${describe(raw)}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const cfg = config as unknown as NodeConfig;
  // The advertised address follows the RTMP port unless set explicitly.
  if (!advertiseGiven) cfg.advertiseAddress = `${hostname}:${cfg.rtmpPort}`;
  if (cfg.role === 'control' && cfg.controlToken === undefined) {
    throw new ConfigError(['RTMPC_CONTROL_TOKEN: required for the control role']);
  }
  return cfg;
}

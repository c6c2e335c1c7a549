/**
 * Node configuration: defaults < JSON file < environment variables. Each setting has one env name (the Helm
 * chart and deploy/ scripts use exactly these) and one camelCase key in the JSON file. Every value is
 * validated on its own so a bad value is reported by the name the operator typed, with what was expected
 * and what was given.
 */
import fs from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import type { AccessPolicyConfig } from '@rtmp-cluster/auth';
import { resolveAuthConfig } from './AuthSettings.js';

export const NODE_ROLES = ['all-in-one', 'origin', 'edge', 'control'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DUPLICATE_PUBLISH_POLICIES = ['reject', 'takeover'] as const;
export const CLAIM_POLICIES = ['reject', 'takeover'] as const;

export interface NodeConfig {
  role: NodeRole;
  nodeId: string;
  rtmpHost: string;
  rtmpPort: number;
  advertiseAddress: string;
  httpHost: string;
  httpPort: number;
  /** the public web listener for players (HTTP-FLV, WS-FLV, LL-HLS, /play); 0 = any free port */
  webHost: string;
  webPort: number;
  /** page origins allowed to use the web listener; [] = any */
  webAllowedOrigins: string[];
  /** addresses/CIDRs of proxies whose X-Forwarded-For names the client */
  webTrustedProxies: string[];
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
  /**
   * The hub's merged-write window: media for a player is held at most this long so one socket write carries
   * several messages (fewer syscalls per delivered byte, at this much added latency; 0 = next event-loop turn)
   */
  mergeWindowMs: number;
  // ---- cluster roles (origin, edge) ----
  /** stream claim lease (origins renew every leaseMs/3) */
  leaseMs: number;
  /** node record TTL in the registry */
  nodeTtlMs: number;
  /** node heartbeat period (must be below nodeTtlMs) */
  heartbeatMs: number;
  /** origin: a publish of a stream another origin holds waits this long for that claim to lapse */
  claimWaitMs: number;
  /** origin: 'reject' a publish of a stream another origin holds (after claimWaitMs), or 'takeover' at once */
  claimPolicy: (typeof CLAIM_POLICIES)[number];
  /** origin: a stream whose holder's address refuses connections (process gone) is taken over at once */
  takeoverDeadOwner: boolean;
  /** origin: serve players that are not relays */
  originAllowPlayers: boolean;
  /** edge: a relay with no players is torn down after this long */
  relayIdleMs: number;
  /** edge: a relay that receives nothing from its origin for this long re-resolves */
  relayStallMs: number;
  /** JSON AccessPolicyConfig (publish/play auth) for origins and edges; none = no auth */
  authConfigFile: string | undefined;
  // ---- security (RTMPS, limits, auth, credentials of the backing services) ----
  /** RTMPS listener port (on rtmpHost); the listener runs when tlsCertFile and tlsKeyFile are set */
  rtmpsPort: number;
  /** PEM certificate (chain) for RTMPS; reloaded when the file changes */
  tlsCertFile: string | undefined;
  /** PEM private key for RTMPS; reloaded when the file changes */
  tlsKeyFile: string | undefined;
  /** how often the certificate and key files are checked for changes */
  tlsReloadIntervalMs: number;
  maxConnectionsPerIp: number;
  /** new connections per second per IP (token bucket rate; 0 = no rate limit) */
  connRatePerIp: number;
  /** bucket size: connections one IP may open at once */
  connBurstPerIp: number;
  maxPublishers: number;
  /**
   * The effective access policy (publish/play auth): RTMPC_AUTH_CONFIG file < the JSON config's `auth`
   * object < RTMPC_PUBLISH_AUTH/RTMPC_PLAY_AUTH/RTMPC_AUTH_* shortcuts, with relayToken; undefined = no auth.
   */
  auth: AccessPolicyConfig | undefined;
  /** Redis ACL user and password (instead of, or over, those in redisUrl) */
  redisUsername: string | undefined;
  redisPassword: string | undefined;
  /** CA bundle to verify the Redis server (implies TLS, as does a rediss:// URL) */
  redisTlsCaFile: string | undefined;
  /** client certificate and key for Redis mutual TLS */
  redisTlsCertFile: string | undefined;
  redisTlsKeyFile: string | undefined;
  /** NATS user/password, or token (not both) */
  natsUser: string | undefined;
  natsPassword: string | undefined;
  natsToken: string | undefined;
  /** CA bundle to verify the NATS server (implies TLS) */
  natsTlsCaFile: string | undefined;
  /** client certificate and key for NATS mutual TLS */
  natsTlsCertFile: string | undefined;
  natsTlsKeyFile: string | undefined;
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
/** see mergeWindowMs; chosen with the fan-out benchmark (test/bench/fanout) */
export const DEFAULT_MERGE_WINDOW_MS = 20;

/** Env values are strings; file values may be numbers. Accept both for integers, strictly (no "12abc"). */
function intSetting(min: number, max: number): z.ZodType {
  return z.preprocess(
    (v: Raw) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );
}
const nonEmpty = z.string().trim().min(1);
const bool = z.preprocess(
  (v: Raw) => (typeof v === 'string' && /^(true|false|1|0)$/i.test(v.trim()) ? /^(true|1)$/i.test(v.trim()) : v),
  z.boolean(),
);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/);
const url = (schemes: string[]): z.ZodType =>
  z.string().refine((s) => {
    try {
      return schemes.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  });
/** 'a, b,c' (env) or ["a","b"] (file) */
const commaList = (item: z.ZodType): z.ZodType =>
  z.preprocess((v: Raw) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : v), z.array(item));
const cidr = z.string().trim().regex(/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/);
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
  { key: 'webHost', env: 'RTMPC_WEB_HOST', expected: 'a host name or IP address', schema: nonEmpty },
  { key: 'webPort', env: 'RTMPC_WEB_PORT', expected: 'an integer 0-65535 (0 = any free port)', schema: intSetting(0, 65535) },
  {
    key: 'webAllowedOrigins',
    env: 'RTMPC_WEB_ALLOWED_ORIGINS',
    expected: "comma-separated origins (https://site.example) or '*'",
    schema: commaList(z.string().regex(/^(\*|https?:\/\/[^\s/]+)$/)),
  },
  {
    key: 'webTrustedProxies',
    env: 'RTMPC_WEB_TRUSTED_PROXIES',
    expected: 'comma-separated IP addresses or CIDRs (10.0.0.0/8)',
    schema: commaList(cidr),
  },
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
  { key: 'mergeWindowMs', env: 'RTMPC_MERGE_WINDOW_MS', expected: 'an integer 0-1000 (ms)', schema: intSetting(0, 1000) },
  { key: 'leaseMs', env: 'RTMPC_LEASE_MS', expected: 'an integer 500-600000 (ms)', schema: intSetting(500, 600_000) },
  { key: 'nodeTtlMs', env: 'RTMPC_NODE_TTL_MS', expected: 'an integer 500-600000 (ms)', schema: intSetting(500, 600_000) },
  { key: 'heartbeatMs', env: 'RTMPC_HEARTBEAT_MS', expected: 'an integer 100-300000 (ms)', schema: intSetting(100, 300_000) },
  { key: 'claimWaitMs', env: 'RTMPC_CLAIM_WAIT_MS', expected: 'an integer 0-600000 (ms)', schema: intSetting(0, 600_000) },
  { key: 'claimPolicy', env: 'RTMPC_CLAIM_POLICY', expected: `one of ${CLAIM_POLICIES.join(', ')}`, schema: z.enum(CLAIM_POLICIES) },
  { key: 'takeoverDeadOwner', env: 'RTMPC_TAKEOVER_DEAD_OWNER', expected: 'true or false', schema: bool },
  { key: 'originAllowPlayers', env: 'RTMPC_ORIGIN_ALLOW_PLAYERS', expected: 'true or false', schema: bool },
  { key: 'relayIdleMs', env: 'RTMPC_RELAY_IDLE_MS', expected: 'an integer 0-3600000 (ms)', schema: intSetting(0, 3_600_000) },
  { key: 'relayStallMs', env: 'RTMPC_RELAY_STALL_MS', expected: 'an integer 500-600000 (ms)', schema: intSetting(500, 600_000) },
  { key: 'authConfigFile', env: 'RTMPC_AUTH_CONFIG', expected: 'a path to a JSON access policy', schema: nonEmpty.optional() },
  { key: 'rtmpsPort', env: 'RTMPC_RTMPS_PORT', expected: 'an integer 1-65535', schema: intSetting(1, 65535) },
  { key: 'tlsCertFile', env: 'RTMPC_TLS_CERT_FILE', expected: 'a path to a PEM certificate', schema: nonEmpty.optional() },
  { key: 'tlsKeyFile', env: 'RTMPC_TLS_KEY_FILE', expected: 'a path to a PEM private key', schema: nonEmpty.optional() },
  { key: 'tlsReloadIntervalMs', env: 'RTMPC_TLS_RELOAD_INTERVAL_MS', expected: 'an integer 100-3600000 (ms)', schema: intSetting(100, 3_600_000) },
  { key: 'maxConnectionsPerIp', env: 'RTMPC_MAX_CONNECTIONS_PER_IP', expected: 'an integer 1-1000000', schema: intSetting(1, 1_000_000) },
  { key: 'connRatePerIp', env: 'RTMPC_CONN_RATE_PER_IP', expected: 'an integer 0-100000 (connections/s, 0 = off)', schema: intSetting(0, 100_000) },
  { key: 'connBurstPerIp', env: 'RTMPC_CONN_BURST_PER_IP', expected: 'an integer 1-1000000', schema: intSetting(1, 1_000_000) },
  { key: 'maxPublishers', env: 'RTMPC_MAX_PUBLISHERS', expected: 'an integer 1-1000000', schema: intSetting(1, 1_000_000) },
  { key: 'redisUsername', env: 'RTMPC_REDIS_USERNAME', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'redisPassword', env: 'RTMPC_REDIS_PASSWORD', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'redisTlsCaFile', env: 'RTMPC_REDIS_TLS_CA_FILE', expected: 'a path to a PEM CA bundle', schema: nonEmpty.optional() },
  { key: 'redisTlsCertFile', env: 'RTMPC_REDIS_TLS_CERT_FILE', expected: 'a path to a PEM certificate', schema: nonEmpty.optional() },
  { key: 'redisTlsKeyFile', env: 'RTMPC_REDIS_TLS_KEY_FILE', expected: 'a path to a PEM private key', schema: nonEmpty.optional() },
  { key: 'natsUser', env: 'RTMPC_NATS_USER', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'natsPassword', env: 'RTMPC_NATS_PASSWORD', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'natsToken', env: 'RTMPC_NATS_TOKEN', expected: 'a non-empty string', schema: nonEmpty.optional() },
  { key: 'natsTlsCaFile', env: 'RTMPC_NATS_TLS_CA_FILE', expected: 'a path to a PEM CA bundle', schema: nonEmpty.optional() },
  { key: 'natsTlsCertFile', env: 'RTMPC_NATS_TLS_CERT_FILE', expected: 'a path to a PEM certificate', schema: nonEmpty.optional() },
  { key: 'natsTlsKeyFile', env: 'RTMPC_NATS_TLS_KEY_FILE', expected: 'a path to a PEM private key', schema: nonEmpty.optional() },
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
    webHost: '0.0.0.0',
    webPort: 8000,
    webAllowedOrigins: [],
    webTrustedProxies: [],
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
    mergeWindowMs: DEFAULT_MERGE_WINDOW_MS,
    leaseMs: 6000,
    nodeTtlMs: 6000,
    heartbeatMs: 2000,
    claimWaitMs: 8000,
    claimPolicy: 'reject',
    takeoverDeadOwner: true,
    originAllowPlayers: true,
    relayIdleMs: 5000,
    relayStallMs: 5000,
    authConfigFile: undefined,
    rtmpsPort: 1936,
    tlsCertFile: undefined,
    tlsKeyFile: undefined,
    tlsReloadIntervalMs: 5000,
    maxConnectionsPerIp: 1000,
    connRatePerIp: 50,
    connBurstPerIp: 100,
    maxPublishers: 10_000,
    auth: undefined,
    redisUsername: undefined,
    redisPassword: undefined,
    redisTlsCaFile: undefined,
    redisTlsCertFile: undefined,
    redisTlsKeyFile: undefined,
    natsUser: undefined,
    natsPassword: undefined,
    natsToken: undefined,
    natsTlsCaFile: undefined,
    natsTlsCertFile: undefined,
    natsTlsKeyFile: undefined,
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
  // `auth` is a structured section (the access policy), resolved by resolveAuthConfig below.
  known.add('auth');
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
  problems.push(...securityProblems(config as unknown as NodeConfig, configFile));
  (config as unknown as NodeConfig).auth = resolveAuthConfig(
    {
      env,
      fileSection: fileValues['auth'],
      configFile,
      authConfigFile: (config as unknown as NodeConfig).authConfigFile,
      relayToken: (config as unknown as NodeConfig).relayToken,
    },
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const cfg = config as unknown as NodeConfig;
  // The advertised address follows the RTMP port unless set explicitly.
  if (!advertiseGiven) cfg.advertiseAddress = `${hostname}:${cfg.rtmpPort}`;
  if (cfg.heartbeatMs >= cfg.nodeTtlMs) {
    throw new ConfigError([`RTMPC_HEARTBEAT_MS (${cfg.heartbeatMs}) must be shorter than RTMPC_NODE_TTL_MS (${cfg.nodeTtlMs})`]);
  }
  if (cfg.role === 'control' && cfg.controlToken === undefined) {
    throw new ConfigError(['RTMPC_CONTROL_TOKEN: required for the control role']);
  }
  return cfg;
}

/** Settings that are valid one by one but not together, and files that must exist. */
function securityProblems(cfg: NodeConfig, configFile: string | undefined): string[] {
  const problems: string[] = [];
  // Named by env variable, plus the JSON key when a config file is in play (the value may come from either).
  const where = (key: keyof NodeConfig): string => (configFile !== undefined ? `${envNameOf(key)} (${String(key)})` : envNameOf(key));
  if ((cfg.tlsCertFile === undefined) !== (cfg.tlsKeyFile === undefined)) {
    problems.push('RTMPC_TLS_CERT_FILE and RTMPC_TLS_KEY_FILE: set both to enable RTMPS, or neither');
  }
  if (cfg.tlsCertFile !== undefined && cfg.tlsKeyFile !== undefined && cfg.rtmpsPort === cfg.rtmpPort) {
    problems.push(`RTMPC_RTMPS_PORT: must differ from RTMPC_RTMP_PORT (both ${cfg.rtmpPort})`);
  }
  if (cfg.natsToken !== undefined && (cfg.natsUser !== undefined || cfg.natsPassword !== undefined)) {
    problems.push('RTMPC_NATS_TOKEN: use either a token or RTMPC_NATS_USER/RTMPC_NATS_PASSWORD, not both');
  }
  if ((cfg.natsUser === undefined) !== (cfg.natsPassword === undefined)) {
    problems.push('RTMPC_NATS_USER and RTMPC_NATS_PASSWORD: set both, or neither');
  }
  if (cfg.redisUsername !== undefined && cfg.redisPassword === undefined) {
    problems.push('RTMPC_REDIS_USERNAME: needs RTMPC_REDIS_PASSWORD');
  }
  for (const [a, b] of [
    ['redisTlsCertFile', 'redisTlsKeyFile'],
    ['natsTlsCertFile', 'natsTlsKeyFile'],
  ] as const) {
    if ((cfg[a] === undefined) !== (cfg[b] === undefined)) {
      problems.push(`${envNameOf(a)} and ${envNameOf(b)}: a client certificate needs its key (set both, or neither)`);
    }
  }
  const files: Array<keyof NodeConfig> = [
    'tlsCertFile',
    'tlsKeyFile',
    'redisTlsCaFile',
    'redisTlsCertFile',
    'redisTlsKeyFile',
    'natsTlsCaFile',
    'natsTlsCertFile',
    'natsTlsKeyFile',
  ];
  for (const key of files) {
    const file = cfg[key];
    if (typeof file !== 'string') continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      problems.push(`${where(key)}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return problems;
}

function envNameOf(key: keyof NodeConfig): string {
  return SETTINGS.find((s) => s.key === key)?.env ?? String(key);
}

/**
 * Every setting of an rtmp-cluster node, declared once. The loader (config.ts), `rtmp-cluster --help`,
 * the README's configuration table (`npm run docs:settings`) and the Helm chart check (test/helm) are all
 * derived from these lists: to add a setting, add an entry here, give it to the code that uses it, and run
 * `npm run docs:settings`.
 */
import { AUTH_MODES, parseSigningKeyList, type SigningKey } from '@rtmp-cluster/auth';
import { PROXY_PROTOCOL_MODES } from '@rtmp-cluster/server';
import { NODE_ROLES, optionalSetting, setting, type NodeRole, type SettingSpec, type SettingValues } from './SettingSpec.js';
import { boolean, filePath, hostPort, integer, list, oneOf, pairList, port, secretText, text, url, urlList, type SettingType } from './SettingType.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DUPLICATE_PUBLISH_POLICIES = ['reject', 'takeover'] as const;
export const CLAIM_POLICIES = ['reject', 'takeover'] as const;
/** see mergeWindowMs; chosen with the fan-out benchmark (test/bench/fanout) */
export const DEFAULT_MERGE_WINDOW_MS = 20;

const MAX_MS = 24 * 3600 * 1000;
const ALL: readonly NodeRole[] = NODE_ROLES;
/** roles that serve RTMP */
const MEDIA: readonly NodeRole[] = ['all-in-one', 'origin', 'edge'];
/** roles that use Redis and NATS */
const CLUSTER: readonly NodeRole[] = ['origin', 'edge', 'control'];
const GRPC: readonly NodeRole[] = ['all-in-one', 'control'];

const hostName = text('a host name or IP address');

/**
 * The CA bundle, client certificate and key a node reaches a cluster dependency with over TLS: the same three
 * settings for Redis and NATS (`redisTlsCaFile`, RTMPC_REDIS_TLS_CA_FILE, ... and the nats ones).
 */
function clientTlsFiles<const G extends 'redis' | 'nats'>(group: G, service: string, caNote: string) {
  const env = `RTMPC_${group.toUpperCase()}_TLS` as const;
  return [
    optionalSetting({ key: `${group}TlsCaFile`, env: `${env}_CA_FILE`, type: filePath('a PEM CA bundle'), doc: `CA bundle to verify ${service} ${caNote}`, roles: CLUSTER, group }),
    optionalSetting({ key: `${group}TlsCertFile`, env: `${env}_CERT_FILE`, type: filePath('a PEM certificate'), doc: `client certificate for ${service} mutual TLS`, roles: CLUSTER, group }),
    optionalSetting({ key: `${group}TlsKeyFile`, env: `${env}_KEY_FILE`, type: filePath('a PEM private key'), doc: `client key for ${service} mutual TLS`, roles: CLUSTER, group }),
  ] as const;
}

/** RTMPC_AUTH_KEYS, in the format the auth package's `sign` command reads too (its parser, not a copy). */
const signingKeys: SettingType<SigningKey[]> = {
  expected: 'comma-separated KEY_ID:SECRET entries',
  parse(raw) {
    if (typeof raw !== 'string') return { ok: false };
    const { keys, problems } = parseSigningKeyList(raw);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, value: keys };
  },
  format: (keys) => keys.map((k) => `${k.id}:${k.secret}`).join(','),
};

/** Settings that are fields of NodeConfig and keys of the JSON config file. */
export const NODE_SETTINGS = [
  // ---- node ----
  setting({ key: 'role', env: 'RTMPC_ROLE', type: oneOf(NODE_ROLES), default: 'all-in-one', doc: 'what this process runs (the command-line role wins)', roles: ALL, group: 'node' }),
  setting({ key: 'nodeId', env: 'RTMPC_NODE_ID', type: text(), default: ({ hostname }) => hostname, defaultDoc: 'host name', doc: 'node id in the registry, logs and metrics', roles: ALL, group: 'node' }),
  setting({ key: 'logLevel', env: 'RTMPC_LOG_LEVEL', type: oneOf(LOG_LEVELS), default: 'info', doc: 'pino log level (JSON lines on stdout)', roles: ALL, group: 'node' }),
  setting({ key: 'drainTimeoutMs', env: 'RTMPC_DRAIN_TIMEOUT_MS', type: integer(0, MAX_MS, 'ms'), default: 30_000, doc: 'drain deadline on SIGTERM and DrainNode', roles: MEDIA, group: 'node' }),
  // ---- listeners ----
  setting({ key: 'rtmpHost', env: 'RTMPC_RTMP_HOST', type: hostName, default: '0.0.0.0', doc: 'RTMP (and RTMPS) listener address', roles: MEDIA, group: 'listeners' }),
  setting({ key: 'rtmpPort', env: 'RTMPC_RTMP_PORT', type: port(), default: 1935, doc: 'RTMP listener port', roles: MEDIA, group: 'listeners' }),
  setting({
    key: 'advertiseAddress',
    env: 'RTMPC_ADVERTISE_ADDRESS',
    type: hostPort(),
    default: ({ hostname, config }) => `${hostname}:${String(config['rtmpPort'])}`,
    defaultDoc: '<host name>:<RTMP port>',
    doc: "host:port other nodes dial to pull from this one (an origin's stable DNS name)",
    roles: ['origin', 'edge'],
    group: 'listeners',
  }),
  setting({ key: 'httpHost', env: 'RTMPC_HTTP_HOST', type: hostName, default: '0.0.0.0', doc: 'listener address of /healthz, /readyz and /metrics', roles: ALL, group: 'listeners' }),
  setting({ key: 'httpPort', env: 'RTMPC_HTTP_PORT', type: port(), default: 8080, doc: 'port of /healthz, /readyz and /metrics', roles: ALL, group: 'listeners' }),
  setting({
    key: 'webHost',
    env: 'RTMPC_WEB_HOST',
    type: hostName,
    default: '0.0.0.0',
    doc: 'public web listener for players (HTTP-FLV, WS-FLV, LL-HLS, /play); origins serve it with RTMPC_ORIGIN_ALLOW_PLAYERS',
    roles: MEDIA,
    group: 'listeners',
  }),
  setting({ key: 'webPort', env: 'RTMPC_WEB_PORT', type: integer(0, 65535, '0 = any free port'), default: 8000, doc: 'public web listener port', roles: MEDIA, group: 'listeners' }),
  setting({
    key: 'webAllowedOrigins',
    env: 'RTMPC_WEB_ALLOWED_ORIGINS',
    type: list(/^(\*|https?:\/\/[^\s/]+)$/, "comma-separated origins (https://site.example) or '*'"),
    default: [],
    defaultDoc: 'any origin',
    doc: 'page origins allowed to use the web listener (CORS, WebSocket Origin)',
    roles: MEDIA,
    group: 'listeners',
  }),
  setting({
    key: 'webTrustedProxies',
    env: 'RTMPC_WEB_TRUSTED_PROXIES',
    type: list(/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/, 'comma-separated IP addresses or CIDRs (10.0.0.0/8)'),
    default: [],
    defaultDoc: 'none',
    doc: 'proxies whose X-Forwarded-For names the viewer (auth, limits, logs)',
    roles: MEDIA,
    group: 'listeners',
  }),
  setting({
    key: 'proxyProtocol',
    env: 'RTMPC_PROXY_PROTOCOL',
    type: oneOf(PROXY_PROTOCOL_MODES),
    default: 'off',
    doc: 'PROXY protocol v1/v2 on the RTMP and RTMPS listeners: optional (a header from a trusted peer names the client; trusted peers may send none) or required (no header, no connection); a header from any other peer closes the connection',
    roles: MEDIA,
    group: 'listeners',
  }),
  setting({
    key: 'webProxyProtocol',
    env: 'RTMPC_WEB_PROXY_PROTOCOL',
    type: oneOf(PROXY_PROTOCOL_MODES),
    default: 'off',
    doc: 'PROXY protocol v1/v2 on the web listener, apart from RTMPC_PROXY_PROTOCOL (players often come through an HTTP balancer with X-Forwarded-For, RTMP through a TCP one): optional or required, trusted peers as RTMPC_PROXY_TRUSTED_CIDRS',
    roles: MEDIA,
    group: 'listeners',
  }),
  setting({
    key: 'proxyTrustedCidrs',
    env: 'RTMPC_PROXY_TRUSTED_CIDRS',
    type: list(/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/, 'comma-separated IP addresses or CIDRs (10.0.0.0/8)'),
    default: [],
    defaultDoc: 'none',
    doc: 'load balancers whose PROXY header is honoured, on the RTMP/RTMPS listeners and on the web listener (its client address then drives limits, auth, webhooks, logs and sessions)',
    roles: MEDIA,
    group: 'listeners',
  }),
  setting({
    key: 'grpcHost',
    env: 'RTMPC_GRPC_HOST',
    type: hostName,
    // The all-in-one is often run on a workstation or a single host: its API is local unless asked otherwise.
    default: ({ config }) => (config['role'] === 'control' ? '0.0.0.0' : '127.0.0.1'),
    defaultDoc: '0.0.0.0 (control), 127.0.0.1 (all-in-one)',
    doc: 'gRPC control API listener address (all-in-one: only with a control token)',
    roles: GRPC,
    group: 'listeners',
  }),
  setting({ key: 'grpcPort', env: 'RTMPC_GRPC_PORT', type: port(), default: 50051, doc: 'gRPC control API port', roles: GRPC, group: 'listeners' }),
  optionalSetting({ key: 'controlToken', env: 'RTMPC_CONTROL_TOKEN', type: secretText(16), defaultDoc: 'none (required by the control role)', doc: 'bearer token of the gRPC control API', roles: GRPC, group: 'listeners', secret: true }),
  optionalSetting({ key: 'grpcTlsCertFile', env: 'RTMPC_GRPC_TLS_CERT_FILE', type: filePath('a PEM certificate'), doc: 'gRPC control API certificate (chain): the API speaks TLS when both files are set; reloaded when the file changes', roles: GRPC, group: 'listeners' }),
  optionalSetting({ key: 'grpcTlsKeyFile', env: 'RTMPC_GRPC_TLS_KEY_FILE', type: filePath('a PEM private key'), doc: 'gRPC control API private key, reloaded when the file changes', roles: GRPC, group: 'listeners' }),
  // ---- RTMPS ----
  setting({ key: 'rtmpsPort', env: 'RTMPC_RTMPS_PORT', type: port(), default: 1936, doc: 'RTMPS listener port (on the RTMP host), on when both TLS files are set', roles: MEDIA, group: 'rtmps' }),
  optionalSetting({ key: 'tlsCertFile', env: 'RTMPC_TLS_CERT_FILE', type: filePath('a PEM certificate'), doc: 'RTMPS certificate (chain), reloaded when the file changes', roles: MEDIA, group: 'rtmps' }),
  optionalSetting({ key: 'tlsKeyFile', env: 'RTMPC_TLS_KEY_FILE', type: filePath('a PEM private key'), doc: 'RTMPS private key, reloaded when the file changes', roles: MEDIA, group: 'rtmps' }),
  setting({ key: 'tlsReloadIntervalMs', env: 'RTMPC_TLS_RELOAD_INTERVAL_MS', type: integer(100, 3_600_000, 'ms'), default: 5000, doc: 'how often the certificate and key files (RTMPS, gRPC) are checked for changes', roles: [...MEDIA, 'control'], group: 'rtmps' }),
  // ---- RTMP sessions ----
  setting({ key: 'chunkSize', env: 'RTMPC_CHUNK_SIZE', type: integer(128, 65536), default: 4096, doc: 'outbound RTMP chunk size', roles: MEDIA, group: 'rtmp' }),
  setting({ key: 'playWaitMs', env: 'RTMPC_PLAY_WAIT_MS', type: integer(0, MAX_MS, 'ms'), default: 10_000, doc: 'how long a player waits for a publisher before StreamNotFound', roles: MEDIA, group: 'rtmp' }),
  setting({
    key: 'mergeWindowMs',
    env: 'RTMPC_MERGE_WINDOW_MS',
    type: integer(0, 1000, 'ms'),
    default: DEFAULT_MERGE_WINDOW_MS,
    doc: 'media for a player is held at most this long so one socket write carries several messages (less CPU per delivered byte for this much latency; 0 = flush on the next event-loop turn)',
    roles: MEDIA,
    group: 'rtmp',
  }),
  setting({
    key: 'flushOnVideoFrame',
    env: 'RTMPC_FLUSH_ON_VIDEO_FRAME',
    type: boolean(),
    default: true,
    doc: 'write to players at the end of each video frame while writing leaves the node time to spare (video is not held; audio waits at most twice the merge window for the frame it rides with); a node that spends over 55% of its time writing merges over the window until under 45% (metric rtmpc_hub_boundary_flushes); false: always the window',
    roles: MEDIA,
    group: 'rtmp',
  }),
  // ---- LL-HLS (every node numbering a stream must use the same grid: set these alike on every node) ----
  setting({ key: 'hlsSegmentMs', env: 'RTMPC_HLS_SEGMENT_MS', type: integer(200, 10_000, 'ms, a multiple of RTMPC_HLS_PART_MS'), default: 1000, doc: 'LL-HLS segment grid: a segment starts at the first keyframe of each grid cell (or half a cell in, without one)', roles: MEDIA, group: 'hls' }),
  setting({ key: 'hlsPartMs', env: 'RTMPC_HLS_PART_MS', type: integer(50, 500, 'ms'), default: 200, doc: 'LL-HLS part grid (EXT-X-PART-INF PART-TARGET)', roles: MEDIA, group: 'hls' }),
  setting({ key: 'hlsPartHoldBack', env: 'RTMPC_HLS_PART_HOLD_BACK', type: integer(2, 10, 'parts'), default: 3, doc: 'PART-HOLD-BACK in parts: how far behind the newest part LL-HLS players stay (3 = the spec\'s recommendation, room for a late part; 2 = its minimum, about 0.3 s closer to live, and hls.js stalls on a late part)', roles: MEDIA, group: 'hls' }),
  setting({ key: 'hlsDeltaUpdates', env: 'RTMPC_HLS_DELTA_UPDATES', type: boolean(), default: true, doc: 'advertise CAN-SKIP-UNTIL and answer _HLS_skip with delta playlists (off: players always reload whole playlists)', roles: MEDIA, group: 'hls' }),
  setting({ key: 'hlsWindowSegments', env: 'RTMPC_HLS_WINDOW_SEGMENTS', type: integer(3, 600), default: 24, doc: 'complete LL-HLS segments each node keeps in memory and lists per stream', roles: MEDIA, group: 'hls' }),
  setting({ key: 'handshakeTimeoutMs', env: 'RTMPC_HANDSHAKE_TIMEOUT_MS', type: integer(100, 600_000, 'ms'), default: 10_000, doc: 'the RTMP handshake must finish within this', roles: MEDIA, group: 'rtmp' }),
  setting({ key: 'idleTimeoutMs', env: 'RTMPC_IDLE_TIMEOUT_MS', type: integer(1000, 3_600_000, 'ms'), default: 30_000, doc: 'a connection that neither publishes nor plays for this long is closed, and so is a publisher that sends no media that long (ping answers and acknowledgements do not count)', roles: MEDIA, group: 'rtmp' }),
  setting({ key: 'pingIntervalMs', env: 'RTMPC_PING_INTERVAL_MS', type: integer(0, 3_600_000, 'ms, 0 = off'), default: 10_000, doc: 'RTT ping period', roles: MEDIA, group: 'rtmp' }),
  setting({ key: 'pingTimeoutMs', env: 'RTMPC_PING_TIMEOUT_MS', type: integer(1000, 3_600_000, 'ms'), default: 30_000, doc: 'a peer that leaves pings unanswered this long is dropped (zombie connections)', roles: MEDIA, group: 'rtmp' }),
  setting({ key: 'maxMessageSize', env: 'RTMPC_MAX_MESSAGE_SIZE', type: integer(1024, 0xffffff, 'bytes'), default: 8 * 1024 * 1024, doc: 'largest RTMP message accepted', roles: MEDIA, group: 'rtmp' }),
  setting({
    key: 'duplicatePublish',
    env: 'RTMPC_DUPLICATE_PUBLISH',
    type: oneOf(DUPLICATE_PUBLISH_POLICIES),
    default: 'reject',
    doc: 'a second publisher of a live stream: reject (NetStream.Publish.BadName) or takeover (evict the old one)',
    roles: MEDIA,
    group: 'rtmp',
  }),
  // ---- limits ----
  setting({ key: 'maxConnections', env: 'RTMPC_MAX_CONNECTIONS', type: integer(1, 1_000_000), default: 10_000, doc: 'connections per node', roles: MEDIA, group: 'limits' }),
  setting({
    key: 'maxConnectionsPerIp',
    env: 'RTMPC_MAX_CONNECTIONS_PER_IP',
    type: integer(1, 1_000_000),
    default: 1000,
    doc: 'connections per client address (a load balancer without PROXY protocol is one address)',
    roles: MEDIA,
    group: 'limits',
  }),
  setting({ key: 'connRatePerIp', env: 'RTMPC_CONN_RATE_PER_IP', type: integer(0, 100_000, 'connections/s, 0 = off'), default: 50, doc: 'new connections per second per client address (token bucket rate)', roles: MEDIA, group: 'limits' }),
  setting({ key: 'connBurstPerIp', env: 'RTMPC_CONN_BURST_PER_IP', type: integer(1, 1_000_000), default: 100, doc: 'connections one client address may open at once (token bucket size)', roles: MEDIA, group: 'limits' }),
  setting({ key: 'maxPublishers', env: 'RTMPC_MAX_PUBLISHERS', type: integer(1, 1_000_000), default: 10_000, doc: 'publishers per node', roles: MEDIA, group: 'limits' }),
  setting({
    key: 'maxPendingDecisions',
    env: 'RTMPC_MAX_PENDING_DECISIONS',
    type: integer(1, 1_000_000),
    default: 1000,
    doc: 'publish/play access decisions (auth webhook, relay lookup) the node waits for at once; beyond it, and beyond 4 on one connection, a publish or play is refused at once',
    roles: MEDIA,
    group: 'limits',
  }),
  optionalSetting({
    key: 'memoryBudgetMb',
    env: 'RTMPC_MEMORY_BUDGET_MB',
    type: integer(16, 1_048_576, 'MB'),
    defaultDoc: "a quarter of the container's memory limit (cgroup v2 memory.max, v1 memory.limit_in_bytes), else of the machine's memory; at least 64",
    doc: 'what all RTMP connections together may hold (messages being reassembled, output queues); over it new connections are refused and the largest holders closed',
    roles: MEDIA,
    group: 'limits',
  }),
  // ---- cluster ----
  setting({ key: 'leaseMs', env: 'RTMPC_LEASE_MS', type: integer(500, 600_000, 'ms'), default: 6000, doc: 'stream claim lease (origins renew every third of it)', roles: CLUSTER, group: 'cluster' }),
  setting({ key: 'nodeTtlMs', env: 'RTMPC_NODE_TTL_MS', type: integer(500, 600_000, 'ms'), default: 6000, doc: 'node record TTL in the registry', roles: CLUSTER, group: 'cluster' }),
  setting({ key: 'heartbeatMs', env: 'RTMPC_HEARTBEAT_MS', type: integer(100, 300_000, 'ms'), default: 2000, doc: 'node heartbeat period (below the node TTL)', roles: ['origin', 'edge'], group: 'cluster' }),
  setting({ key: 'claimWaitMs', env: 'RTMPC_CLAIM_WAIT_MS', type: integer(0, 600_000, 'ms'), default: 8000, doc: 'a publish of a stream another origin holds waits this long for that claim to lapse', roles: ['origin'], group: 'cluster' }),
  setting({ key: 'claimPolicy', env: 'RTMPC_CLAIM_POLICY', type: oneOf(CLAIM_POLICIES), default: 'reject', doc: 'a publish of a stream another origin holds: reject (after the claim wait) or takeover at once', roles: ['origin'], group: 'cluster' }),
  setting({
    key: 'takeoverDeadOwner',
    env: 'RTMPC_TAKEOVER_DEAD_OWNER',
    type: boolean(),
    default: true,
    doc: "with reject: probe the holding origin's address (TCP, 400 ms); connection refused (process gone) takes the stream at once with a new epoch",
    roles: ['origin'],
    group: 'cluster',
  }),
  setting({ key: 'originAllowPlayers', env: 'RTMPC_ORIGIN_ALLOW_PLAYERS', type: boolean(), default: true, doc: 'whether origins also serve players that are not relays (edges always do)', roles: ['origin'], group: 'cluster' }),
  setting({ key: 'relayIdleMs', env: 'RTMPC_RELAY_IDLE_MS', type: integer(0, 3_600_000, 'ms'), default: 5000, doc: 'a pull from an origin with no players is torn down after this long', roles: ['edge'], group: 'cluster' }),
  setting({ key: 'relayStallMs', env: 'RTMPC_RELAY_STALL_MS', type: integer(500, 600_000, 'ms'), default: 5000, doc: 'a pull that receives nothing for this long re-resolves the origin', roles: ['edge'], group: 'cluster' }),
  // ---- Redis ----
  setting({ key: 'redisUrl', env: 'RTMPC_REDIS_URL', type: url(['redis:', 'rediss:'], 'a redis:// or rediss:// URL'), default: 'redis://127.0.0.1:6379', doc: 'the registry', roles: CLUSTER, group: 'redis' }),
  optionalSetting({ key: 'redisUsername', env: 'RTMPC_REDIS_USERNAME', type: text(), doc: 'Redis ACL user (over the one in the URL)', roles: CLUSTER, group: 'redis' }),
  optionalSetting({ key: 'redisPassword', env: 'RTMPC_REDIS_PASSWORD', type: text(), doc: 'Redis password (over the one in the URL)', roles: CLUSTER, group: 'redis', secret: true }),
  ...clientTlsFiles('redis', 'Redis', '(implies TLS, as does rediss://)'),
  // ---- NATS ----
  setting({
    key: 'natsServers',
    env: 'RTMPC_NATS_SERVERS',
    type: urlList(['nats:', 'tls:', 'ws:', 'wss:'], 'comma-separated nats:// URLs'),
    default: ['nats://127.0.0.1:4222'],
    doc: 'NATS servers (publish/unpublish events, node commands)',
    roles: CLUSTER,
    group: 'nats',
  }),
  optionalSetting({ key: 'natsUser', env: 'RTMPC_NATS_USER', type: text(), doc: 'NATS user (with the password)', roles: CLUSTER, group: 'nats' }),
  optionalSetting({ key: 'natsPassword', env: 'RTMPC_NATS_PASSWORD', type: text(), doc: 'NATS password', roles: CLUSTER, group: 'nats', secret: true }),
  optionalSetting({ key: 'natsToken', env: 'RTMPC_NATS_TOKEN', type: text(), doc: 'NATS token (instead of user and password)', roles: CLUSTER, group: 'nats', secret: true }),
  ...clientTlsFiles('nats', 'NATS', '(implies TLS)'),
  // ---- auth ----
  optionalSetting({
    key: 'authConfigFile',
    env: 'RTMPC_AUTH_CONFIG',
    type: filePath('a JSON access policy'),
    doc: 'JSON file with the access policy (packages/auth/README.md); the config file may hold it as `auth` instead',
    roles: MEDIA,
    group: 'auth',
  }),
  optionalSetting({
    key: 'clusterSecret',
    env: 'RTMPC_CLUSTER_SECRET',
    type: secretText(16),
    defaultDoc: 'none (required by origin, edge and control)',
    doc: 'shared by every node of a cluster: signs node commands (drain, kick, ...) end to end; a node obeys only commands signed with it',
    roles: ['origin', 'edge', 'control'],
    group: 'auth',
    secret: true,
  }),
  optionalSetting({ key: 'relayToken', env: 'RTMPC_RELAY_TOKEN', type: text(), doc: 'credential edges present to origins (lets relays past play auth)', roles: ['origin', 'edge'], group: 'auth', secret: true }),
] as const;

/**
 * Environment shortcuts for the common access policies. They are not NodeConfig fields: they are merged
 * over the policy file and the config file's `auth` object into NodeConfig.auth (AuthSettings.ts).
 */
export const AUTH_SHORTCUTS = [
  optionalSetting({ key: 'publishAuth', env: 'RTMPC_PUBLISH_AUTH', type: oneOf(AUTH_MODES), defaultDoc: 'none', doc: 'publish auth for every app: none, token (signed, expiring keys), static or webhook', roles: MEDIA, group: 'auth' }),
  optionalSetting({ key: 'playAuth', env: 'RTMPC_PLAY_AUTH', type: oneOf(AUTH_MODES), defaultDoc: 'none', doc: 'play auth for every app (relays with the relay token pass)', roles: MEDIA, group: 'auth' }),
  optionalSetting({ key: 'authKeys', env: 'RTMPC_AUTH_KEYS', type: signingKeys, doc: 'token signing keys (several at once during rotation)', roles: MEDIA, group: 'auth', secret: true }),
  optionalSetting({
    key: 'authStaticKeys',
    env: 'RTMPC_AUTH_STATIC_KEYS',
    type: pairList('=', 'APP/NAME=KEY or APP/*=KEY'),
    doc: 'static stream keys (repeat a path for several keys)',
    roles: MEDIA,
    group: 'auth',
    secret: true,
  }),
  optionalSetting({ key: 'authWebhookUrl', env: 'RTMPC_AUTH_WEBHOOK_URL', type: url(['http:', 'https:'], 'an http:// or https:// URL'), doc: 'decision hook for publish/play (POST JSON; 2xx allows)', roles: MEDIA, group: 'auth' }),
  optionalSetting({ key: 'authWebhookTimeoutMs', env: 'RTMPC_AUTH_WEBHOOK_TIMEOUT_MS', type: integer(1, 60_000, 'ms'), defaultDoc: '2000', doc: 'webhook timeout', roles: MEDIA, group: 'auth' }),
  optionalSetting({ key: 'authWebhookFailOpen', env: 'RTMPC_AUTH_WEBHOOK_FAIL_OPEN', type: boolean(), defaultDoc: 'false', doc: 'allow when the webhook fails (fail-closed otherwise)', roles: MEDIA, group: 'auth' }),
  optionalSetting({ key: 'authClockSkewSeconds', env: 'RTMPC_AUTH_CLOCK_SKEW_SECONDS', type: integer(0, 3600), defaultDoc: '30', doc: 'token expiry tolerance (seconds)', roles: MEDIA, group: 'auth' }),
] as const;

/** Every setting, in the order of --help and the README. */
export const SETTINGS: readonly SettingSpec[] = [...NODE_SETTINGS, ...AUTH_SHORTCUTS] as readonly SettingSpec[];

const CONFIG_FILE_KEYS: ReadonlySet<string> = new Set(NODE_SETTINGS.map((s) => s.key));
/** Whether the JSON config file sets this setting by its key (the auth shortcuts go in its `auth` object). */
export const isConfigFileKey = (key: string): boolean => CONFIG_FILE_KEYS.has(key);

export type AuthShortcuts = SettingValues<typeof AUTH_SHORTCUTS>;

/**
 * RTMPC_* variables that are not settings but are read by this process or by the project's tooling around
 * it; the node accepts them instead of reporting them as misspelled settings.
 */
export const OTHER_VARIABLES: ReadonlyArray<{ name: string; doc: string }> = [
  { name: 'RTMPC_CONFIG', doc: 'path of a JSON config file (what --config gives; --config wins)' },
  { name: 'RTMPC_PROTO_DIR', doc: 'directory holding rtmpcluster/control.proto when an install ships it elsewhere' },
];

/**
 * Prefixes reserved for the project's tooling, which passes its environment on to the nodes it starts:
 * deploy/local-cluster.mjs (RTMPC_LOCAL_*), deploy/haproxy.cfg (RTMPC_LB_*, RTMPC_EDGE<n>_*), tests
 * (RTMPC_TEST_*, RTMPC_CHROMIUM for test/support/browser.ts) and deploy/node-runtime.sh (RTMPC_CACHE_DIR). No
 * setting starts with these.
 */
export const TOOLING_PREFIXES: readonly RegExp[] = [/^RTMPC_LOCAL_/, /^RTMPC_LB_/, /^RTMPC_EDGE\d+_/, /^RTMPC_TEST_/, /^RTMPC_CACHE_DIR$/, /^RTMPC_CHROMIUM$/];

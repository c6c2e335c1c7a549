/**
 * Rules between settings (each value is valid on its own, but not together) and the files settings name,
 * which must be readable when the node starts rather than when the first TLS client arrives.
 */
import { nodeFs as fs } from '@rtmp-cluster/core';
import type { NodeConfig } from './NodeConfig.js';
import { NODE_SETTINGS } from './schema.js';

type Key = keyof NodeConfig;

const envOf = (key: Key): string => NODE_SETTINGS.find((s) => s.key === key)?.env ?? String(key);

export interface ConstraintProblems {
  problems: string[];
  /** settings whose file could not be read */
  unreadable: Set<Key>;
}

export function settingConstraintProblems(cfg: NodeConfig, configFile: string | undefined): ConstraintProblems {
  const problems: string[] = [];
  const unset = (k: Key): boolean => cfg[k] === undefined;
  const bothOrNeither = (a: Key, b: Key, why: string): void => {
    if (unset(a) !== unset(b)) problems.push(`${envOf(a)} and ${envOf(b)}: ${why}`);
  };
  bothOrNeither('tlsCertFile', 'tlsKeyFile', 'set both to enable RTMPS, or neither');
  bothOrNeither('grpcTlsCertFile', 'grpcTlsKeyFile', 'set both to serve the control API over TLS, or neither');
  if (!unset('tlsCertFile') && !unset('tlsKeyFile') && cfg.rtmpsPort === cfg.rtmpPort) {
    problems.push(`RTMPC_RTMPS_PORT: must differ from RTMPC_RTMP_PORT (both ${cfg.rtmpPort})`);
  }
  if (!unset('natsToken') && (!unset('natsUser') || !unset('natsPassword'))) {
    problems.push('RTMPC_NATS_TOKEN: use either a token or RTMPC_NATS_USER/RTMPC_NATS_PASSWORD, not both');
  }
  bothOrNeither('natsUser', 'natsPassword', 'set both, or neither');
  if (!unset('redisUsername') && unset('redisPassword')) problems.push('RTMPC_REDIS_USERNAME: needs RTMPC_REDIS_PASSWORD');
  bothOrNeither('redisTlsCertFile', 'redisTlsKeyFile', 'a client certificate needs its key (set both, or neither)');
  bothOrNeither('natsTlsCertFile', 'natsTlsKeyFile', 'a client certificate needs its key (set both, or neither)');
  if (cfg.heartbeatMs >= cfg.nodeTtlMs) {
    problems.push(`RTMPC_HEARTBEAT_MS (${cfg.heartbeatMs}) must be shorter than RTMPC_NODE_TTL_MS (${cfg.nodeTtlMs})`);
  }
  if (cfg.hlsSegmentMs % cfg.hlsPartMs !== 0) {
    problems.push(`RTMPC_HLS_SEGMENT_MS (${cfg.hlsSegmentMs}) must be a multiple of RTMPC_HLS_PART_MS (${cfg.hlsPartMs})`);
  }
  if (cfg.role === 'control' && unset('controlToken')) problems.push('RTMPC_CONTROL_TOKEN: required for the control role');
  if (cfg.role !== 'all-in-one' && unset('clusterSecret')) problems.push(`RTMPC_CLUSTER_SECRET: required for the ${cfg.role} role (signs node commands)`);

  // Named by env variable, plus the JSON key when a config file is in play (the value may come from either).
  const unreadable = new Set<Key>();
  for (const s of NODE_SETTINGS) {
    const file = cfg[s.key];
    if (!s.type.isFile || typeof file !== 'string') continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      unreadable.add(s.key);
      const where = configFile !== undefined ? `${s.env} (${s.key})` : s.env;
      problems.push(`${where}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return { problems, unreadable };
}

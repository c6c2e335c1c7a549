/**
 * What one setting is: its names (camelCase key in the JSON file and in NodeConfig, RTMPC_* variable),
 * its kind of value with bounds, its default, who reads it, and one line for operators. The schema
 * (schema.ts) is a list of these; loading, --help, the README table and the Helm chart check are derived
 * from that list, so a setting is declared exactly once.
 */
import type { SettingType } from './SettingType.js';

// The roles are the registry's (a node record carries one): declared there once.
import type { NodeRole } from '@rtmp-cluster/registry/types';
export { NODE_ROLES, type NodeRole } from '@rtmp-cluster/registry/types';

/** Headings of the README table and of --help, in the order they are shown. */
export const SETTING_GROUPS = {
  node: 'Node',
  listeners: 'Listeners',
  rtmps: 'RTMPS',
  rtmp: 'RTMP sessions',
  hls: 'LL-HLS',
  limits: 'Limits',
  cluster: 'Cluster',
  redis: 'Redis',
  nats: 'NATS',
  auth: 'Publish and play authorization',
} as const;
export type SettingGroup = keyof typeof SETTING_GROUPS;

export interface DefaultContext {
  hostname: string;
  /** the other settings' values (explicit or default); derived defaults are computed last */
  config: Readonly<Record<string, unknown>>;
}

export interface SettingSpec<K extends string = string, T = unknown, Optional extends boolean = boolean> {
  /** the JSON config file key and the NodeConfig field */
  readonly key: K;
  readonly env: `RTMPC_${string}`;
  readonly type: SettingType<T>;
  /** a value, or one derived from the host and the other settings; absent for an optional setting */
  readonly default: Optional extends true ? undefined : T | ((ctx: DefaultContext) => T);
  /** shown instead of the formatted default in the docs ("host name"); required for derived defaults */
  readonly defaultDoc?: string;
  /** one line for operators: what it does, not how */
  readonly doc: string;
  /** the roles that read it (the others ignore it) */
  readonly roles: readonly NodeRole[];
  readonly group: SettingGroup;
  /** a credential: deployments pass it from a secret store, never as a literal in plain configuration */
  readonly secret?: boolean;
  readonly optional: Optional;
}

/** The default does not widen the type (`'reject'` stays one of the enum's values, not any string). */
type Declared<K extends string, T> = Omit<SettingSpec<K, T, false>, 'optional' | 'default'> & {
  readonly default: NoInfer<T> | ((ctx: DefaultContext) => NoInfer<T>);
};
type DeclaredOptional<K extends string, T> = Omit<SettingSpec<K, T, true>, 'optional' | 'default'>;

/** A setting that always has a value (its default unless given). */
export function setting<const K extends string, T>(s: Declared<K, T>): SettingSpec<K, T, false> {
  return { ...s, optional: false };
}

/** A setting that is undefined unless given (a file path, a credential). */
export function optionalSetting<const K extends string, T>(s: DeclaredOptional<K, T>): SettingSpec<K, T, true> {
  return { ...s, default: undefined, optional: true };
}

/** The typed object a list of settings produces: `{ rtmpPort: number; tlsCertFile: string | undefined; ... }`. */
export type SettingValues<S extends readonly SettingSpec<string, any, boolean>[]> = {
  [E in S[number] as E['key']]: E extends SettingSpec<string, infer T, infer O> ? (O extends true ? T | undefined : T) : never;
};

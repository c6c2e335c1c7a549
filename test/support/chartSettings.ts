/**
 * The Helm chart's environment mapping checked against the settings schema: every RTMPC_* variable a
 * rendered workload sets (directly or through a ConfigMap in envFrom) must be a known setting, its literal
 * value must pass the setting's own check, a secret must come from a Secret, and what one container gets as a
 * whole must load as a configuration of its role.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, NODE_ROLES, OTHER_VARIABLES, SETTINGS, type SettingSpec } from 'rtmp-cluster';
import type { K8sObject } from './helm.js';

interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: unknown; fieldRef?: unknown; configMapKeyRef?: unknown };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvEntry[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
}

/** One variable as a container receives it: a literal (from `value` or a ConfigMap) or a reference. */
interface ContainerVariable {
  name: string;
  literal: string | undefined;
  fromSecret: boolean;
  /** where it is set, for the problem line */
  where: string;
}

const BY_ENV = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.env, s]));
const OTHER = new Set(OTHER_VARIABLES.map((v) => v.name));

/** What a value taken from a Secret stands for when the container's whole configuration is loaded. */
const SECRET_STANDINS: Record<string, string> = {
  RTMPC_REDIS_URL: 'redis://redis.from-secret:6379',
  RTMPC_NATS_SERVERS: 'nats://nats.from-secret:4222',
  RTMPC_AUTH_KEYS: `from-secret:${'s'.repeat(32)}`,
  RTMPC_AUTH_STATIC_KEYS: 'live/*=from-secret',
};

function podSpecOf(o: K8sObject): { containers?: Container[]; initContainers?: Container[] } | undefined {
  return o.spec?.template?.spec ?? (o.kind === 'Pod' ? o.spec : undefined);
}

function containerVariables(c: Container, configMaps: Map<string, Record<string, string>>, owner: string): ContainerVariable[] {
  const vars = new Map<string, ContainerVariable>();
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef !== undefined ? configMaps.get(from.configMapRef.name) : undefined;
    for (const [name, value] of Object.entries(data ?? {})) {
      vars.set(name, { name, literal: String(value), fromSecret: false, where: `${owner} (ConfigMap ${from.configMapRef!.name})` });
    }
  }
  // `env` wins over envFrom, as in Kubernetes.
  for (const e of c.env ?? []) {
    vars.set(e.name, { name: e.name, literal: e.value, fromSecret: e.valueFrom?.secretKeyRef !== undefined, where: owner });
  }
  return [...vars.values()];
}

/** Kubernetes expands $(VAR) from the container's other variables; a stand-in keeps the value's shape. */
const expandReferences = (v: string): string => v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_m, name: string) => `${name.toLowerCase().replace(/_/g, '-')}-0`);

/** Every container of the rendered workloads with the RTMPC_* variables it receives. */
function containers(objects: K8sObject[]): Array<{ owner: string; container: Container; vars: ContainerVariable[] }> {
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, (o.data ?? {}) as Record<string, string>]));
  return objects.flatMap((o) => {
    const pod = podSpecOf(o);
    return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => {
      const owner = `${o.kind} ${o.metadata.name} container ${c.name}`;
      return { owner, container: c, vars: containerVariables(c, configMaps, owner).filter((v) => v.name.startsWith('RTMPC_')) };
    });
  });
}

/** One line per problem of the chart's environment mapping; [] when it agrees with the schema. */
export function chartSettingProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rtmpc-chart-settings-'));
  const readable = path.join(tmp, 'mounted-file');
  fs.writeFileSync(readable, 'stands for a file the chart mounts');
  try {
    for (const { owner, container: c, vars } of containers(objects)) {
      const env: Record<string, string> = {};
      for (const v of vars) {
        const s = BY_ENV.get(v.name);
        if (s === undefined) {
          if (!OTHER.has(v.name)) problems.push(`${v.where}: ${v.name} is not a setting of the schema`);
          continue;
        }
        if (s.secret && !v.fromSecret) problems.push(`${v.where}: ${v.name} is a secret and must come from a Secret (valueFrom.secretKeyRef)`);
        if (v.literal !== undefined && v.literal !== '') {
          const value = expandReferences(v.literal);
          if (!s.type.parse(value).ok) problems.push(`${v.where}: ${v.name}=${JSON.stringify(v.literal)}: expected ${s.type.expected}`);
          env[v.name] = s.type.isFile ? readable : value;
        } else if (v.fromSecret) {
          env[v.name] = SECRET_STANDINS[v.name] ?? 'value-from-secret';
        }
      }
      const role = c.args?.find((a) => (NODE_ROLES as readonly string[]).includes(a));
      if (role === undefined || vars.length === 0) continue;
      // Valid one by one is not enough: the container's settings together must load for its role.
      try {
        loadConfig({ env, overrides: { role: role as (typeof NODE_ROLES)[number] }, hostname: 'pod-0' });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) problems.push(`${owner} (role ${role}): ${p}`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return problems;
}

/** Every RTMPC_* name the rendered chart sets anywhere (tests check the mapping is exercised at all). */
export function chartVariableNames(objects: K8sObject[]): Set<string> {
  return new Set(containers(objects).flatMap((c) => c.vars.map((v) => v.name)));
}

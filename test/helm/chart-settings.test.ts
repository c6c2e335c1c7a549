/**
 * The chart's env mapping agrees with the settings schema (packages/node/src/settings/schema.ts): rendered
 * with its defaults and with every ci/*-values.yaml, each RTMPC_* variable is a known setting with a value the
 * node accepts, secrets come from Secrets, and each container's settings load together for its role.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartSettingProblems, chartVariableNames } from '../support/chartSettings.js';
import { CHART_DIR, renderChart, type K8sObject } from '../support/helm.js';

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

const CI_VALUES = readdirSync(join(CHART_DIR, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(CHART_DIR, 'ci', f));

describe('helm chart settings', () => {
  for (const values of [[], ...CI_VALUES.map((f) => [f])]) {
    const label = values[0]?.split('/').pop() ?? 'defaults';
    it(`sets only RTMPC_* variables the schema knows, with values it accepts (${label})`, () => {
      const objects = renderChart(values);
      expect(chartVariableNames(objects).size).toBeGreaterThan(5);
      expect(chartSettingProblems(objects)).toEqual([]);
    });
  }

  it('options that add variables keep to the schema too (RTMPS, auth modes, webhook)', () => {
    const objects = renderChart([], ['rtmps.enabled=true', 'rtmps.certSecret=live-tls', 'auth.publishMode=webhook', 'auth.webhookUrl=https://auth.example/hook', 'auth.playMode=token', 'auth.keysSecret=keys']);
    const names = chartVariableNames(objects);
    for (const n of ['RTMPC_TLS_CERT_FILE', 'RTMPC_AUTH_WEBHOOK_URL', 'RTMPC_AUTH_KEYS']) expect(names).toContain(n);
    expect(chartSettingProblems(objects)).toEqual([]);
  });

  it("values at the edges of the chart's values.schema.json render to settings the node accepts (or the chart refuses them)", () => {
    // Every enum value, minimum and maximum the chart's schema allows: helm must not install what the node refuses.
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as JsonSchema;
    const cases: string[] = [];
    const walk = (node: JsonSchema, path: string[]): void => {
      for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, [...path, k]);
      const at = path.join('.');
      for (const value of [...(node.enum ?? []), node.minimum, node.maximum]) if (value !== undefined) cases.push(`${at}=${String(value)}`);
    };
    walk(schema, []);
    expect(cases.length).toBeGreaterThan(20);
    let rendered = 0;
    const problems: string[] = [];
    for (const set of cases) {
      let objects: K8sObject[];
      try {
        objects = renderChart([], [set]);
      } catch {
        continue; // the chart refuses it at install time (a `required` or a schema rule): nothing reaches a node
      }
      rendered++;
      for (const p of chartSettingProblems(objects)) problems.push(`--set ${set}: ${p}`);
    }
    expect(rendered).toBeGreaterThan(cases.length / 2);
    expect(problems).toEqual([]);
  });

  it('a drifted chart is caught: unknown name, rejected value, literal secret, settings that do not fit together', () => {
    const objects = renderChart();
    const edge = structuredClone(objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'edge')!);
    const c = edge.spec.template.spec.containers[0];
    c.env.push({ name: 'RTMPC_RTMP_PRT', value: '31100' }, { name: 'RTMPC_CHUNK_SIZE', value: '64' }, { name: 'RTMPC_NATS_TOKEN', value: 'literal-token' });
    c.env.push({ name: 'RTMPC_HEARTBEAT_MS', value: '9000' });
    const drifted: K8sObject[] = [...objects.filter((o) => o !== objects.find((x) => x.metadata.name === edge.metadata.name && x.kind === 'Deployment')), edge];
    const problems = chartSettingProblems(drifted);
    const owner = `Deployment ${edge.metadata.name} container ${c.name}`;
    expect(problems).toContain(`${owner}: RTMPC_RTMP_PRT is not a setting of the schema`);
    expect(problems).toContain(`${owner}: RTMPC_CHUNK_SIZE="64": expected an integer 128-65536`);
    expect(problems).toContain(`${owner}: RTMPC_NATS_TOKEN is a secret and must come from a Secret (valueFrom.secretKeyRef)`);
    expect(problems).toContain(`${owner} (role edge): RTMPC_HEARTBEAT_MS (9000) must be shorter than RTMPC_NODE_TTL_MS (6000)`);
    // A bad value in the shared ConfigMap is named with the ConfigMap.
    const cm = structuredClone(objects.find((o) => o.kind === 'ConfigMap')!);
    cm.data!['RTMPC_LOG_LEVEL'] = 'loud';
    const withCm = [...objects.filter((o) => o.kind !== 'ConfigMap'), cm];
    expect(chartSettingProblems(withCm)).toContain(`${owner} (ConfigMap ${cm.metadata.name}): RTMPC_LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent`);
  });
});

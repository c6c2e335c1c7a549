import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Pod, Secret, Service } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parse } from 'yaml';
import { CHART_DIR, helm, KUBE_VERSION, renderChart, type K8sObject } from '../support/helm.js';

const CI_VALUES = readdirSync(join(CHART_DIR, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join(CHART_DIR, 'ci', f));

const validators: Record<string, new (o: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/Pod': Pod,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

const byKind = (objs: K8sObject[], kind: string, component?: string) =>
  objs.filter((o) => o.kind === kind && (!component || o.metadata.labels?.['app.kubernetes.io/component'] === component));
const one = (objs: K8sObject[], kind: string, component: string) => {
  const found = byKind(objs, kind, component);
  expect(found, `${kind} for ${component}`).toHaveLength(1);
  return found[0]!;
};
const podSpec = (o: K8sObject) => o.spec.template.spec;
const container = (o: K8sObject) => podSpec(o).containers[0];
const envValue = (o: K8sObject, name: string) => container(o).env.find((e: any) => e.name === name);

describe('helm chart', () => {
  it('passes helm lint --strict with the default values and every ci/*-values.yaml', () => {
    expect(helm(['lint', '--strict', CHART_DIR, '--kube-version', KUBE_VERSION])).toContain('0 chart(s) failed');
    for (const f of CI_VALUES) {
      expect(helm(['lint', '--strict', CHART_DIR, '-f', f, '--kube-version', KUBE_VERSION])).toContain('0 chart(s) failed');
    }
    expect(CI_VALUES.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects unknown and out-of-range values through values.schema.json', () => {
    expect(() => renderChart([], ['edge.replicaz=3'])).toThrow(/additional properties 'replicaz' not allowed/);
    expect(() => renderChart([], ['rtmp.chunkSize=64'])).toThrow(/chunkSize/);
    expect(() => renderChart([], ['edge.service.externalTrafficPolicy=Sometimes'])).toThrow(/externalTrafficPolicy/);
  });

  for (const values of [[], ...CI_VALUES.map((f) => [f])]) {
    const label = values[0]?.split('/').pop() ?? 'defaults';
    it(`renders objects that validate against the Kubernetes schemas (${label})`, () => {
      const objs = renderChart(values);
      expect(objs.length).toBeGreaterThan(5);
      for (const o of objs) {
        const key = `${o.apiVersion}/${o.kind}`;
        if (key === 'monitoring.coreos.com/v1/PodMonitor') {
          expect(o.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
          continue;
        }
        const V = validators[key];
        expect(V, `no validator for ${key}`).toBeDefined();
        expect(() => new V!(o).validate(), `${key} ${o.metadata.name}`).not.toThrow();
        for (const l of ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/component']) {
          expect(o.metadata.labels?.[l], `${key} ${o.metadata.name} label ${l}`).toBeTruthy();
        }
      }
    });
  }

  it('origins: StatefulSet behind a headless Service, advertising their stable DNS names', () => {
    const objs = renderChart();
    const sts = one(objs, 'StatefulSet', 'origin');
    const headless = byKind(objs, 'Service', 'origin').find((s) => s.spec.clusterIP === 'None')!;
    expect(headless).toBeDefined();
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(container(sts).args).toEqual(['origin']);
    expect(envValue(sts, 'RTMPC_ADVERTISE_ADDRESS').value).toBe(
      `$(POD_NAME).${headless.metadata.name}.$(POD_NAMESPACE).svc.cluster.local:1935`,
    );
    expect(envValue(sts, 'RTMPC_NODE_ID').value).toBe('$(POD_NAME)');
    const ingest = byKind(objs, 'Service', 'origin').find((s) => s.spec.clusterIP !== 'None')!;
    expect(ingest.spec.type).toBe('LoadBalancer');
    expect(ingest.spec.ports[0]).toMatchObject({ port: 1935, targetPort: 'rtmp', protocol: 'TCP' });
    expect(one(objs, 'PodDisruptionBudget', 'origin').spec.maxUnavailable).toBe(1);
  });

  it('edges: Deployment with maxUnavailable 0, HPA v2 with a long scale-down window, LB Service with Local policy', () => {
    const objs = renderChart();
    const dep = one(objs, 'Deployment', 'edge');
    expect(dep.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(dep.spec.replicas).toBeUndefined(); // the HPA owns the replica count
    expect(container(dep).args).toEqual(['edge']);
    const hpa = one(objs, 'HorizontalPodAutoscaler', 'edge');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: dep.metadata.name });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    const svc = one(objs, 'Service', 'edge');
    expect(svc.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    expect(podSpec(dep).topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(dep.spec.selector.matchLabels);
    expect(one(objs, 'PodDisruptionBudget', 'edge').spec.selector.matchLabels).toEqual(dep.spec.selector.matchLabels);
    const withConnections = renderChart([], ['edge.autoscaling.targetConnectionsPerPod=1500']);
    expect(one(withConnections, 'HorizontalPodAutoscaler', 'edge').spec.metrics[1].pods.metric.name).toBe('rtmpc_connections');
  });

  it('drain timings are consistent: grace period covers preStop pause plus the drain deadline', () => {
    const objs = renderChart();
    for (const w of [one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      const c = container(w);
      const preStop = Number(c.lifecycle.preStop.exec.command[1]);
      const drainMs = Number(envValue(w, 'RTMPC_DRAIN_TIMEOUT_MS').value);
      expect(preStop).toBeGreaterThan(0);
      expect(podSpec(w).terminationGracePeriodSeconds).toBeGreaterThan(preStop + drainMs / 1000);
    }
    // The edge pause must outlast a typical LB health-check interval (10 s) so no new player lands on a stopping pod.
    expect(Number(container(one(objs, 'Deployment', 'edge')).lifecycle.preStop.exec.command[1])).toBeGreaterThan(10);
  });

  it('every pod is non-root with probes, resources and config checksums', () => {
    const objs = renderChart();
    for (const w of [...byKind(objs, 'Deployment'), ...byKind(objs, 'StatefulSet')]) {
      const spec = podSpec(w);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      const c = container(w);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(c.securityContext.capabilities.drop).toContain('ALL');
      expect(c.startupProbe && c.readinessProbe && c.livenessProbe, w.metadata.name).toBeTruthy();
      expect(c.resources.requests.cpu).toBeTruthy();
      expect(w.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      expect(c.envFrom[0].configMapRef.name).toBe(byKind(objs, 'ConfigMap')[0]!.metadata.name);
    }
    const control = one(objs, 'Deployment', 'control');
    expect(container(control).readinessProbe.grpc).toMatchObject({ port: 50051 });
    expect(container(one(objs, 'Deployment', 'edge')).readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('tokens come from a Secret; existingSecret values are honoured', () => {
    const objs = renderChart();
    const secret = byKind(objs, 'Secret')[0]!;
    expect(Object.keys(secret.data!).sort()).toEqual(['control-token', 'relay-token']);
    const dep = one(objs, 'Deployment', 'control');
    expect(envValue(dep, 'RTMPC_CONTROL_TOKEN').valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
    const prod = renderChart([join(CHART_DIR, 'ci', 'production-values.yaml')]);
    expect(byKind(prod, 'Secret')).toHaveLength(0);
    const edge = one(prod, 'Deployment', 'edge');
    expect(envValue(edge, 'RTMPC_REDIS_URL').valueFrom.secretKeyRef.name).toBe('rtmpc-redis');
    expect(envValue(edge, 'RTMPC_RELAY_TOKEN').valueFrom.secretKeyRef.name).toBe('rtmpc-auth');
  });

  it('has a helm test hook that publishes to the ingest Service and plays through the edge Service', () => {
    const objs = renderChart();
    const pod = byKind(objs, 'Pod').find((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test')!;
    expect(pod).toBeDefined();
    const script = pod.spec.containers[0].args.join('\n');
    expect(script).toContain('rtmp://rel-rtmp-cluster-ingest:1935/live/');
    expect(script).toContain('rtmp://rel-rtmp-cluster-edge:1935/live/');
  });
});

describe('helm chart options', () => {
  it('RTMPS: the certificate Secret is mounted where the node reads it, and both Services expose 1936', () => {
    const objs = renderChart([], ['rtmps.enabled=true', 'rtmps.certSecret=live-tls']);
    const cm = byKind(objs, 'ConfigMap')[0]!;
    expect(cm.data).toMatchObject({ RTMPC_RTMPS_PORT: '1936', RTMPC_TLS_CERT_FILE: '/tls/tls.crt', RTMPC_TLS_KEY_FILE: '/tls/tls.key' });
    for (const w of [one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      expect(container(w).ports).toContainEqual({ name: 'rtmps', containerPort: 1936, protocol: 'TCP' });
      expect(container(w).volumeMounts).toContainEqual({ name: 'rtmps-cert', mountPath: '/tls', readOnly: true });
      expect(podSpec(w).volumes).toContainEqual({ name: 'rtmps-cert', secret: { secretName: 'live-tls' } });
    }
    const ingest = byKind(objs, 'Service', 'origin').find((s) => s.spec.clusterIP !== 'None')!;
    expect(ingest.spec.ports).toContainEqual({ name: 'rtmps', port: 1936, targetPort: 'rtmps', protocol: 'TCP' });
    expect(one(objs, 'Service', 'edge').spec.ports).toContainEqual({ name: 'rtmps', port: 1936, targetPort: 'rtmps', protocol: 'TCP' });
    expect(() => renderChart([], ['rtmps.enabled=true'])).toThrow(/rtmps.certSecret is required/);
    expect(container(one(renderChart(), 'Deployment', 'edge')).ports.map((p: { name: string }) => p.name)).not.toContain('rtmps');
  });

  it('auth: modes in the ConfigMap, signing keys from their Secret', () => {
    const objs = renderChart([], ['auth.publishMode=token', 'auth.playMode=token', 'auth.keysSecret=stream-keys']);
    expect(byKind(objs, 'ConfigMap')[0]!.data).toMatchObject({ RTMPC_PUBLISH_AUTH: 'token', RTMPC_PLAY_AUTH: 'token' });
    for (const w of [one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      expect(envValue(w, 'RTMPC_AUTH_KEYS').valueFrom.secretKeyRef).toEqual({ name: 'stream-keys', key: 'auth-keys' });
    }
    expect(() => renderChart([], ['auth.publishMode=sometimes'])).toThrow(/publishMode/);
    expect(envValue(one(renderChart(), 'Deployment', 'edge'), 'RTMPC_AUTH_KEYS')).toBeUndefined();
  });

  it('the chart README documents every value', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string[]): void => {
      for (const [k, v] of Object.entries(node)) {
        const p = [...path, k];
        const documented = readme.includes(`\`${p.join('.')}\``);
        if (documented) continue;
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) walk(v as Record<string, unknown>, p);
        else missing.push(p.join('.'));
      }
    };
    walk(values, []);
    expect(missing).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Pod, Secret, Service } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parse } from 'yaml';
import { CHART_DIR, helm, KUBE_VERSION, renderChart, renderNotes, type K8sObject } from '../support/helm.js';

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
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
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
const NODE_COMPONENTS = ['origin', 'edge', 'control'];
const nodeWorkloads = (objs: K8sObject[]) =>
  [...byKind(objs, 'Deployment'), ...byKind(objs, 'StatefulSet')].filter((w) => NODE_COMPONENTS.includes(w.metadata.labels!['app.kubernetes.io/component']!));
const secretNamed = (objs: K8sObject[], name: string) => byKind(objs, 'Secret').find((o) => o.metadata.name === name);
const secretText = (secret: K8sObject | undefined, key: string) => Buffer.from(secret!.data![key]!, 'base64').toString('utf8');

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

  it('every pod (nodes, Redis, NATS) is non-root with probes, resources and config checksums', () => {
    const objs = renderChart();
    const workloads = [...byKind(objs, 'Deployment'), ...byKind(objs, 'StatefulSet')];
    expect(workloads.map((w) => w.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual(['control', 'edge', 'nats', 'origin', 'redis']);
    for (const w of workloads) {
      const spec = podSpec(w);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      const c = container(w);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(c.securityContext.capabilities.drop).toContain('ALL');
      expect(c.startupProbe && c.readinessProbe && c.livenessProbe, w.metadata.name).toBeTruthy();
      expect(c.resources.requests.cpu).toBeTruthy();
      expect(c.resources.limits.memory).toBeTruthy();
      expect(w.spec.template.metadata.annotations['checksum/secret']).toMatch(/^[0-9a-f]{64}$/);
    }
    for (const w of nodeWorkloads(objs)) {
      expect(w.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      expect(container(w).envFrom[0].configMapRef.name).toBe(byKind(objs, 'ConfigMap')[0]!.metadata.name);
    }
    const control = one(objs, 'Deployment', 'control');
    expect(container(control).readinessProbe.grpc).toMatchObject({ port: 50051 });
    expect(container(one(objs, 'Deployment', 'edge')).readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('tokens come from a Secret; only the control pods get the control token; existingSecret values are honoured', () => {
    const objs = renderChart();
    const secret = secretNamed(objs, 'rel-rtmp-cluster-auth')!;
    expect(Object.keys(secret.data!).sort()).toEqual(['cluster-secret', 'control-token', 'relay-token']);
    expect(secretText(secret, 'control-token')).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(secretText(secret, 'cluster-secret')).toMatch(/^[A-Za-z0-9]{48}$/);
    const dep = one(objs, 'Deployment', 'control');
    expect(envValue(dep, 'RTMPC_CONTROL_TOKEN').valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'control-token' });
    // Every role signs or verifies node commands with the same secret.
    for (const w of [dep, one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      expect(envValue(w, 'RTMPC_CLUSTER_SECRET').valueFrom.secretKeyRef, w.metadata.name).toEqual({ name: secret.metadata.name, key: 'cluster-secret' });
    }
    for (const w of [one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      expect(envValue(w, 'RTMPC_CONTROL_TOKEN'), w.metadata.name).toBeUndefined();
      expect(envValue(w, 'RTMPC_RELAY_TOKEN').valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'relay-token' });
    }
    const given = renderChart([], ['auth.controlToken=given-control-token-0123456789']);
    expect(secretText(secretNamed(given, 'rel-rtmp-cluster-auth'), 'control-token')).toBe('given-control-token-0123456789');
    const prod = renderChart([join(CHART_DIR, 'ci', 'production-values.yaml')]);
    expect(byKind(prod, 'Secret')).toHaveLength(0);
    const edge = one(prod, 'Deployment', 'edge');
    expect(envValue(edge, 'RTMPC_REDIS_URL').valueFrom.secretKeyRef.name).toBe('rtmpc-redis');
    expect(envValue(edge, 'RTMPC_NATS_SERVERS').valueFrom.secretKeyRef.name).toBe('rtmpc-nats');
    expect(envValue(edge, 'RTMPC_RELAY_TOKEN').valueFrom.secretKeyRef.name).toBe('rtmpc-auth');
    expect(envValue(edge, 'RTMPC_CLUSTER_SECRET').valueFrom.secretKeyRef).toEqual({ name: 'rtmpc-auth', key: 'cluster-secret' });
    expect(envValue(edge, 'RTMPC_AUTH_KEYS').valueFrom.secretKeyRef).toEqual({ name: 'rtmpc-stream-keys', key: 'auth-keys' });
  });

  it('has a helm test hook that mints its own publish key and publishes to the ingest Service, then plays through the edge', () => {
    const objs = renderChart();
    const pod = byKind(objs, 'Pod').find((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test')!;
    expect(pod).toBeDefined();
    const mint = pod.spec.initContainers[0];
    expect(mint.image).toBe(container(one(objs, 'StatefulSet', 'origin')).image);
    expect(mint.env).toContainEqual({ name: 'RTMPC_AUTH_KEYS', valueFrom: { secretKeyRef: { name: 'rel-rtmp-cluster-stream-keys', key: 'auth-keys' } } });
    const minting = mint.args.join('\n');
    expect(minting).toContain('rtmp-cluster sign --action publish --app live --name helm-test --keys-env RTMPC_AUTH_KEYS --ttl 600 --url rtmp://rel-rtmp-cluster-ingest:1935 > /work/publish-url');
    expect(minting).toContain('echo "rtmp://rel-rtmp-cluster-edge:1935/live/helm-test" > /work/play-url');
    const script = pod.spec.containers[0].args.join('\n');
    expect(script).toContain('-f flv "$(cat /work/publish-url)"');
    expect(script).toContain('"$(cat /work/play-url)" | grep -q \'codec_name=h264\'');
    // With play auth on, the play URL is minted too.
    const playToken = renderChart([], ['auth.playMode=token']);
    const mintPlay = byKind(playToken, 'Pod')[0]!.spec.initContainers[0].args.join('\n');
    expect(mintPlay).toContain('rtmp-cluster sign --action play --app live --name helm-test --keys-env RTMPC_AUTH_KEYS --ttl 600 --url rtmp://rel-rtmp-cluster-edge:1935 > /work/play-url');
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

  it("auth: modes in the ConfigMap, signing keys from the operator's Secret (none generated then)", () => {
    const objs = renderChart([], ['auth.publishMode=token', 'auth.playMode=token', 'auth.keysSecret=stream-keys']);
    expect(byKind(objs, 'ConfigMap')[0]!.data).toMatchObject({ RTMPC_PUBLISH_AUTH: 'token', RTMPC_PLAY_AUTH: 'token' });
    for (const w of [one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      expect(envValue(w, 'RTMPC_AUTH_KEYS').valueFrom.secretKeyRef).toEqual({ name: 'stream-keys', key: 'auth-keys' });
    }
    expect(secretNamed(objs, 'rel-rtmp-cluster-stream-keys')).toBeUndefined();
    expect(envValue(one(objs, 'Deployment', 'control'), 'RTMPC_AUTH_KEYS')).toBeUndefined();
    expect(() => renderChart([], ['auth.publishMode=sometimes'])).toThrow(/publishMode/);
  });

  it('secure by default: publish mode token with a generated signing key; unsafe or incomplete auth values fail the render', () => {
    const objs = renderChart();
    expect(byKind(objs, 'ConfigMap')[0]!.data).toMatchObject({ RTMPC_PUBLISH_AUTH: 'token', RTMPC_PLAY_AUTH: 'none' });
    const keys = secretNamed(objs, 'rel-rtmp-cluster-stream-keys')!;
    const generated = secretText(keys, 'k1');
    expect(generated).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secretText(keys, 'auth-keys')).toBe(`k1:${generated}`);
    for (const w of [one(objs, 'StatefulSet', 'origin'), one(objs, 'Deployment', 'edge')]) {
      expect(envValue(w, 'RTMPC_AUTH_KEYS').valueFrom.secretKeyRef).toEqual({ name: keys.metadata.name, key: 'auth-keys' });
    }
    expect(() => renderChart([], ['auth.publishMode=none'])).toThrow(
      /auth.publishMode=none lets anyone who can reach the ingest Service .* publish any stream name.*auth.allowAnonymousPublish=true/,
    );
    const open = renderChart([], ['auth.publishMode=none', 'auth.allowAnonymousPublish=true']);
    expect(byKind(open, 'ConfigMap')[0]!.data!.RTMPC_PUBLISH_AUTH).toBe('none');
    expect(secretNamed(open, 'rel-rtmp-cluster-stream-keys')).toBeUndefined();
    expect(() => renderChart([], ['auth.publishMode=static'])).toThrow(/auth.publishMode=static needs its stream keys: set auth.keysSecret and auth.staticKeysSecretKey/);
    expect(() => renderChart([], ['auth.publishMode=static', 'auth.keysSecret=k'])).toThrow(/auth.staticKeysSecretKey/);
    expect(() => renderChart([], ['auth.playMode=webhook'])).toThrow(/auth.playMode=webhook needs auth.webhookUrl/);
    expect(() => renderChart([], ['auth.keysSecret=mine', 'auth.keysSecretKey='])).toThrow(/auth.publishMode=token reads its signing keys from auth.keysSecret "mine", but auth.keysSecretKey is empty/);
    const statics = renderChart([], ['auth.publishMode=static', 'auth.keysSecret=k', 'auth.staticKeysSecretKey=static']);
    expect(envValue(one(statics, 'StatefulSet', 'origin'), 'RTMPC_AUTH_STATIC_KEYS').valueFrom.secretKeyRef).toEqual({ name: 'k', key: 'static' });
  });

  it('bundled Redis and NATS: official images, generated passwords in Secrets wired to every node, no persistence, JetStream off', () => {
    const objs = renderChart();
    const redisSecret = secretNamed(objs, 'rel-rtmp-cluster-redis')!;
    const natsSecret = secretNamed(objs, 'rel-rtmp-cluster-nats')!;
    const redisPassword = secretText(redisSecret, 'password');
    expect(redisPassword).toMatch(/^[A-Za-z0-9]{40}$/);
    const natsPasswords = ['origin', 'edge', 'control'].map((role) => secretText(natsSecret, `${role}-password`));
    for (const p of natsPasswords) expect(p).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(natsPasswords).size).toBe(3);
    for (const w of nodeWorkloads(objs)) {
      const role = w.metadata.labels!['app.kubernetes.io/component']!;
      expect(envValue(w, 'RTMPC_REDIS_URL').value).toBe('redis://rel-rtmp-cluster-redis:6379');
      expect(envValue(w, 'RTMPC_REDIS_USERNAME').value).toBe('rtmp-cluster');
      expect(envValue(w, 'RTMPC_REDIS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'rel-rtmp-cluster-redis', key: 'password' });
      expect(envValue(w, 'RTMPC_NATS_SERVERS').value).toBe('nats://rel-rtmp-cluster-nats:4222');
      expect(envValue(w, 'RTMPC_NATS_USER').value).toBe(`rtmp-cluster-${role}`);
      expect(envValue(w, 'RTMPC_NATS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'rel-rtmp-cluster-nats', key: `${role}-password` });
    }
    const redis = one(objs, 'Deployment', 'redis');
    expect(container(redis).image).toMatch(/^redis:7\.\d+\.\d+-alpine$/);
    expect(container(redis)).toMatchObject({ command: ['redis-server'], args: ['/etc/redis/redis.conf'] });
    const redisConf = secretText(redisSecret, 'redis.conf');
    expect(redisConf).toMatch(/^save ""$/m);
    expect(redisConf).toMatch(/^appendonly no$/m);
    expect(redisConf).toMatch(/^user default off$/m);
    expect(redisConf).toContain(`user rtmp-cluster on #${createHash('sha256').update(redisPassword).digest('hex')} resetkeys ~rtmpc:* `);
    expect(redisConf).not.toContain(redisPassword);
    expect(podSpec(redis).volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(podSpec(redis).volumes.filter((v: any) => v.persistentVolumeClaim)).toEqual([]);
    const nats = one(objs, 'Deployment', 'nats');
    expect(container(nats).image).toMatch(/^nats:2\.\d+\.\d+-alpine$/);
    expect(container(nats)).toMatchObject({ command: ['nats-server'], args: ['--config', '/etc/nats/nats.conf'] });
    const natsConf = secretText(natsSecret, 'nats.conf');
    // One user per role; only the control plane may publish node commands (the NATS server enforces it: chart-boot test).
    for (const [i, role] of ['origin', 'edge', 'control'].entries()) expect(natsConf).toContain(`user: "rtmp-cluster-${role}", password: "${natsPasswords[i]}"`);
    expect(natsConf.match(/"rtmpc\.v1\.node\.\*\.cmd"/g)).toHaveLength(3); // subscribed by origin and edge, published by control
    expect(natsConf).not.toMatch(/^\s*jetstream/m);
    expect(container(nats).readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'monitor' });
    for (const name of ['rel-rtmp-cluster-redis', 'rel-rtmp-cluster-nats']) {
      expect(byKind(objs, 'Service').find((o) => o.metadata.name === name)?.spec.type).toBe('ClusterIP');
    }
  });

  it('external Redis and NATS: no bundled servers, the URLs or existing Secrets go to every node, and a missing one fails the render', () => {
    const objs = renderChart([], ['redis.enabled=false', 'redis.url=redis://redis.data:6379', 'nats.enabled=false', 'nats.servers=nats://n1:4222\\,nats://n2:4222']);
    expect(byKind(objs, 'Deployment').map((d) => d.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual(['control', 'edge']);
    expect(secretNamed(objs, 'rel-rtmp-cluster-redis')).toBeUndefined();
    expect(byKind(objs, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('rel-rtmp-cluster-redis');
    for (const w of nodeWorkloads(objs)) {
      expect(envValue(w, 'RTMPC_REDIS_URL').value).toBe('redis://redis.data:6379');
      expect(envValue(w, 'RTMPC_NATS_SERVERS').value).toBe('nats://n1:4222,nats://n2:4222');
      expect(envValue(w, 'RTMPC_REDIS_PASSWORD')).toBeUndefined();
      expect(envValue(w, 'RTMPC_NATS_PASSWORD')).toBeUndefined();
    }
    expect(() => renderChart([], ['redis.enabled=false'])).toThrow(/redis.enabled=false needs an external Redis: set redis.url or redis.existingSecret/);
    expect(() => renderChart([], ['nats.enabled=false'])).toThrow(/nats.enabled=false needs external NATS: set nats.servers or nats.existingSecret/);
  });

  it('NetworkPolicies: Redis and NATS only from the nodes, origins from edges and the ingest sources, the control API from controlFrom', () => {
    const objs = renderChart([], ['networkPolicy.controlFrom[0].namespaceSelector.matchLabels.team=ops']);
    const policy = (name: string) => byKind(objs, 'NetworkPolicy').find((p) => p.metadata.name === `rel-rtmp-cluster-${name}`)!;
    const peersOf = (component: string) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rtmp-cluster', 'app.kubernetes.io/instance': 'rel', 'app.kubernetes.io/component': component } } });
    for (const [name, port] of [['redis', 6379], ['nats', 4222]] as const) {
      const p = policy(name);
      expect(p.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe(name);
      expect(p.spec.ingress).toEqual([{ from: NODE_COMPONENTS.map(peersOf), ports: [{ port, protocol: 'TCP' }] }]);
    }
    const origin = policy('origin').spec.ingress;
    expect(origin[0].from).toEqual([peersOf('edge'), peersOf('test'), { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }]);
    expect(origin[0].ports).toEqual([{ port: 1935, protocol: 'TCP' }]);
    const narrowed = renderChart([], ['networkPolicy.ingestFrom[0].ipBlock.cidr=203.0.113.0/24']);
    expect(byKind(narrowed, 'NetworkPolicy').find((p) => p.metadata.name === 'rel-rtmp-cluster-origin')!.spec.ingress[0].from)
      .toEqual([peersOf('edge'), peersOf('test'), { ipBlock: { cidr: '203.0.113.0/24' } }]);
    const control = policy('control').spec.ingress;
    expect(control[0]).toEqual({ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ port: 50051, protocol: 'TCP' }] });
    expect(byKind(renderChart([], ['networkPolicy.enabled=false']), 'NetworkPolicy')).toEqual([]);
  });

  it('NOTES.txt prints the ingest and playback addresses and the exact command that mints a publish key', () => {
    const notes = renderNotes();
    expect(notes).toContain("export INGEST=$(kubectl -n streaming get svc rel-rtmp-cluster-ingest -o jsonpath=");
    expect(notes).toContain("export PLAYBACK=$(kubectl -n streaming get svc rel-rtmp-cluster-edge -o jsonpath=");
    expect(notes).toContain(
      'kubectl -n streaming exec rel-rtmp-cluster-origin-0 -c origin -- rtmp-cluster sign --action publish --app live --name STREAM --keys-env RTMPC_AUTH_KEYS --ttl 3600 --url rtmp://$INGEST:1935',
    );
    expect(notes).toContain('ffplay rtmp://$PLAYBACK:1935/live/STREAM');
    const internal = renderNotes(['origin.ingestService.type=ClusterIP', 'auth.playMode=token']);
    expect(internal).toContain('export INGEST=rel-rtmp-cluster-ingest.streaming.svc.cluster.local');
    expect(internal).toContain('rtmp-cluster sign --action play --app live --name STREAM --keys-env RTMPC_AUTH_KEYS --ttl 3600 --url rtmp://$PLAYBACK:1935');
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

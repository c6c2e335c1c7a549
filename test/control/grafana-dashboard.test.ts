/**
 * deploy/grafana/rtmp-cluster-dashboard.json cannot drift from the metrics: every metric a panel query
 * names must be exposed by a live node's /metrics (an all-in-one node started in-process, with a publisher
 * and a player so the media-path metrics have samples).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNode, defaultConfig, type NodeHandle } from 'rtmp-cluster';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';

const DASHBOARD = path.resolve(import.meta.dirname, '../../deploy/grafana/rtmp-cluster-dashboard.json');

interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
}

/** Metric names in a PromQL expression, with histogram series suffixes mapped to the histogram. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\b(rtmpc_[a-zA-Z0-9_]+)/g)) names.add(m[1]!);
  return [...names];
}

/** name -> TYPE from a Prometheus text exposition. */
function exposedTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  return types;
}

function isExposed(name: string, types: Map<string, string>): boolean {
  if (types.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && types.get(base) === 'histogram';
}

describe('grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    schemaVersion: number;
    uid: string;
    panels: Panel[];
    templating: { list: Array<{ name: string; type: string; query: unknown }> };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  let node: NodeHandle;
  let metricsText = '';
  const clients: TestRtmpClient[] = [];

  beforeAll(async () => {
    node = createNode({ ...defaultConfig('grafana'), rtmpHost: '127.0.0.1', rtmpPort: 0, httpHost: '127.0.0.1', httpPort: 0, webHost: '127.0.0.1', webPort: 0, logLevel: 'silent', drainTimeoutMs: 1000 });
    await node.start();
    const pub = await TestRtmpClient.connect(node.rtmpUrl('/live'));
    clients.push(pub);
    await pub.publish('dash');
    await pub.waitForStatus('NetStream.Publish.Start', 5000);
    const player = await TestRtmpClient.connect(node.rtmpUrl('/live'));
    clients.push(player);
    await player.play('dash');
    await player.waitForStatus('NetStream.Play.Start', 5000);
    metricsText = await (await fetch(node.httpUrl('/metrics'))).text();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await node?.stop();
  });

  it('is a schema-39 dashboard with a Prometheus datasource variable used by every query', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toBe('rtmp-cluster-nodes');
    const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(ds?.type).toBe('datasource');
    expect(ds?.query).toBe('prometheus');
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const queries = panels.flatMap((p) => p.targets ?? []);
    expect(queries.length).toBeGreaterThan(20);
    for (const t of queries) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  });

  it('has panels for each metric family the nodes expose for operators', () => {
    const all = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr)));
    for (const needed of [
      'rtmpc_connections',
      'rtmpc_connections_by_kind',
      'rtmpc_streams',
      'rtmpc_rtmp_bytes_received_total',
      'rtmpc_rtmp_bytes_sent_total',
      'rtmpc_player_dropped_frames_total',
      'rtmpc_relay_pulls_total',
      'rtmpc_relay_repulls_total',
      'rtmpc_registry_errors_total',
      'rtmpc_nats_errors_total',
      'rtmpc_handshake_failures_total',
      'rtmpc_hub_send_latency_seconds_bucket',
    ]) {
      expect(all, needed).toContain(needed);
    }
  });

  it('every metric a panel queries is exposed by a live node', () => {
    const types = exposedTypes(metricsText);
    // The extraction itself must work, or this test would pass on nothing.
    expect(types.get('rtmpc_hub_send_latency_seconds')).toBe('histogram');
    expect(isExposed('rtmpc_hub_send_latency_seconds_bucket', types)).toBe(true);
    expect(isExposed('rtmpc_no_such_metric_total', types)).toBe(false);
    const missing: string[] = [];
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        for (const name of metricNames(t.expr)) if (!isExposed(name, types)) missing.push(`${p.title}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    // The variable query's metric too.
    expect(isExposed('rtmpc_up', types)).toBe(true);
  });

  it('the live node reports its publisher and player by kind and the HPA gauge', () => {
    expect(metricsText).toMatch(/^rtmpc_connections 2$/m);
    expect(metricsText).toMatch(/^rtmpc_connections_by_kind\{kind="publisher"\} 1$/m);
    expect(metricsText).toMatch(/^rtmpc_connections_by_kind\{kind="player"\} 1$/m);
    expect(metricsText).toMatch(/^rtmpc_ready 1$/m);
  });
});

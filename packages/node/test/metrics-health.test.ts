import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from '../src/HealthServer.js';
import { renderMetricsText } from '../src/MetricsText.js';

describe('renderMetricsText', () => {
  it('renders HELP/TYPE once per name, labels escaped', () => {
    const text = renderMetricsText([
      { name: 'a_total', help: 'A things.', kind: 'counter', value: 3 },
      { name: 'b', help: 'B.', kind: 'gauge', value: 1, labels: { reason: 'x"y' } },
      { name: 'b', help: 'B.', kind: 'gauge', value: 2, labels: { reason: 'z' } },
    ]);
    expect(text).toBe(
      '# HELP a_total A things.\n# TYPE a_total counter\na_total 3\n' +
        '# HELP b B.\n# TYPE b gauge\nb{reason="x\\"y"} 1\nb{reason="z"} 2\n',
    );
  });
});

describe('HealthServer', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('answers liveness, readiness by state and metrics', async () => {
    let ready = false;
    server = new HealthServer({
      host: '127.0.0.1',
      port: 0,
      ready: () => ({ ready, reason: ready ? 'ready' : 'starting' }),
      metrics: () => [{ name: 'rtmpc_rtmp_connections', help: 'c', kind: 'gauge', value: 4 }],
    });
    const { port } = await server.listen();
    const base = `http://127.0.0.1:${port}`;
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe('starting\n');
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    expect(await m.text()).toContain('rtmpc_rtmp_connections 4\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });
});

import type { WebService } from '@rtmp-cluster/web';
import type { MetricSample } from '../MetricsText.js';

/** The web listener's metrics, per protocol (http-flv, ws-flv, hls): viewers, bytes, dropped frames, refusals. */
export function webSamples(web: WebService): MetricSample[] {
  const out: MetricSample[] = [
    { name: 'rtmpc_web_connections', help: 'Open connections on the web listener.', kind: 'gauge', value: web.server.connections },
  ];
  for (const [protocol, t] of web.viewers.totals()) {
    const labels = { protocol };
    out.push(
      { name: 'rtmpc_web_viewers', help: 'Web viewers playing now, by protocol.', kind: 'gauge', value: t.viewers, labels },
      { name: 'rtmpc_web_viewers_total', help: 'Web viewers admitted since start, by protocol.', kind: 'counter', value: t.viewersTotal, labels },
      { name: 'rtmpc_web_bytes_sent_total', help: 'Media bytes sent to web viewers, by protocol.', kind: 'counter', value: t.bytesOut, labels },
      { name: 'rtmpc_web_dropped_frames_total', help: 'Media frames skipped for slow web viewers (latency budget), by protocol.', kind: 'counter', value: t.droppedFrames, labels },
    );
  }
  const refused = { ...web.server.refused, proxyHeader: web.server.refusedProxyHeaders };
  for (const [reason, value] of Object.entries(refused)) {
    out.push({ name: 'rtmpc_web_refused_total', help: 'Web connections or requests refused by a limit, the origin policy or their PROXY header (proxyHeader).', kind: 'counter', value, labels: { reason } });
  }
  return out;
}

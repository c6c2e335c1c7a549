/**
 * A minimal Prometheus text exposition (format 0.0.4) for the few gauges and counters the node has now.
 * prom-client replaces this once the lead adds it; the metric names stay.
 */
export type MetricKind = 'gauge' | 'counter';

export interface MetricSample {
  name: string;
  help: string;
  kind: MetricKind;
  value: number;
  labels?: Record<string, string>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders samples grouped by metric name, HELP/TYPE once per name. */
export function renderMetricsText(samples: MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const s of samples) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# HELP ${name} ${list[0]!.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${name} ${list[0]!.kind}`);
    for (const s of list) {
      const labels = s.labels ? Object.entries(s.labels) : [];
      const labelText = labels.length > 0 ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      lines.push(`${name}${labelText} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

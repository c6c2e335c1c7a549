// The node's own measure of the latency it adds, from its /metrics: rtmpc_hub_send_latency_seconds observes, for
// sampled media messages, the time from the publisher's message entering the hub to each player's socket write
// (merge-window wait, encoding, the fan-out cycle). It leaves out what the load generator adds on the same
// machine (its event loops, the kernel handing it the bytes), which the players' own latency includes.
const METRIC = 'rtmpc_hub_send_latency_seconds_bucket';

/** Cumulative bucket counts by upper bound (seconds; Infinity for +Inf), or null when the node has none. */
export async function readSendLatencyBuckets(metricsUrl) {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl}: HTTP ${res.status}`);
  const buckets = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith(METRIC)) continue;
    const m = /le="([^"]+)"\}\s+(\d+)/.exec(line);
    if (m) buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets.size > 0 ? buckets : null;
}

/**
 * Quantiles of what was observed between two readings: the bucket holding the quantile, interpolated linearly
 * inside it (as Prometheus' histogram_quantile does), so a figure is only as fine as the bucket edges.
 */
export function sendLatencyBetween(before, after, quantiles = [0.5, 0.99]) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => after.get(b) - (before?.get(b) ?? 0));
  const total = counts[counts.length - 1];
  const out = { observations: total };
  for (const q of quantiles) {
    if (total === 0) {
      out[`p${q * 100}Ms`] = null;
      continue;
    }
    const rank = q * total;
    const i = counts.findIndex((c) => c >= rank);
    const lo = i === 0 ? 0 : bounds[i - 1];
    const hi = bounds[i] === Infinity ? lo : bounds[i];
    const below = i === 0 ? 0 : counts[i - 1];
    const inBucket = counts[i] - below;
    out[`p${q * 100}Ms`] = (lo + (inBucket === 0 ? 0 : (hi - lo) * ((rank - below) / inBucket))) * 1000;
  }
  out.within30MsShare = after.has(0.03) ? (after.get(0.03) - (before?.get(0.03) ?? 0)) / Math.max(1, total) : null;
  return out;
}

// Summaries of measured durations: nearest-rank percentiles over all samples (no interpolation, so a
// printed p99 is a value that was really observed).

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** { n, min, p50, p99, max } of a list of numbers (NaN fields when empty). */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted.length ? sorted[0] : NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** Milliseconds with one decimal, right-aligned to `width`. */
export function ms(value, width = 8) {
  const text = Number.isFinite(value) ? value.toFixed(1) : 'n/a';
  return text.padStart(width);
}

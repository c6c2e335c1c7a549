/** 2500000 -> '2.5 Mb/s'. */
export function formatBitrate(bps: number): string {
  if (bps < 1000) return `${Math.round(bps)} b/s`;
  if (bps < 1e6) return `${trim(bps / 1e3)} kb/s`;
  if (bps < 1e9) return `${trim(bps / 1e6)} Mb/s`;
  return `${trim(bps / 1e9)} Gb/s`;
}

/** 1536 -> '1.5 KiB'. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 ** 2) return `${trim(n / 1024)} KiB`;
  if (n < 1024 ** 3) return `${trim(n / 1024 ** 2)} MiB`;
  return `${trim(n / 1024 ** 3)} GiB`;
}

/** 3723000 -> '1h02m03s'; under a minute: '42s'. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${d}d${two(h)}h${two(m)}m`;
  if (h > 0) return `${h}h${two(m)}m${two(s)}s`;
  if (m > 0) return `${m}m${two(s)}s`;
  return `${s}s`;
}

function trim(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1).replace(/\.0$/, '');
}

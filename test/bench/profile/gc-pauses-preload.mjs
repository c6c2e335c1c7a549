// Loaded into the node under test (NODE_OPTIONS=--import; `--trace-gc` is not allowed in NODE_OPTIONS): records
// every garbage collection's pause and, when the process exits, writes their count, total and percentiles per
// kind to GC_REPORT_DIR/gc-PID.json. With the fan-out bench:
//
//   GC_REPORT_DIR=/tmp npm run bench:fanout -- --servers "ours:NODE_OPTIONS=--max-semi-space-size=2 --import $PWD/test/bench/profile/gc-pauses-preload.mjs"
//   (an absolute path: the node runs in a folder of its own)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const KIND = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
const dir = process.env.GC_REPORT_DIR;
if (dir) {
  const pauses = {};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) (pauses[KIND[e.detail?.kind] ?? 'other'] ??= []).push(e.duration);
  }).observe({ entryTypes: ['gc'] });
  const startedAt = Date.now();
  process.on('exit', () => {
    const report = { seconds: (Date.now() - startedAt) / 1000 };
    const ms = (v) => Math.round(v * 100) / 100;
    for (const [kind, v] of Object.entries(pauses)) {
      v.sort((a, b) => a - b);
      report[kind] = { count: v.length, totalMs: ms(v.reduce((a, b) => a + b, 0)), p50Ms: ms(v[Math.floor(v.length / 2)]), p99Ms: ms(v[Math.floor(v.length * 0.99)]), maxMs: ms(v[v.length - 1]) };
    }
    writeFileSync(path.join(dir, `gc-${process.pid}.json`), JSON.stringify(report));
  });
}

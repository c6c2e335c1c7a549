// Loaded into the node under test (NODE_OPTIONS=--import): on SIGWINCH it writes the process's memory as V8
// and Node see it to MEMORY_REPORT_DIR/memory-PID-N.json, for memory-per-player.mjs. SIGWINCH because the node
// itself handles SIGTERM/SIGINT and Node keeps SIGUSR1 for the inspector.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

const dir = process.env.MEMORY_REPORT_DIR;
let n = 0;
if (dir) {
  process.on('SIGWINCH', () => {
    // With --expose-gc (memory-per-player.mjs passes it) the report is of live memory, not of garbage the
    // young generation happened to hold at the signal. RSS stays as it was: freed pages are not returned at once.
    const before = process.memoryUsage();
    globalThis.gc?.();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { committed: s.physical_space_size, used: s.space_used_size }]));
    writeFileSync(path.join(dir, `memory-${process.pid}-${n++}.json`), JSON.stringify({ usage: process.memoryUsage(), beforeGc: before, spaces }));
  });
}

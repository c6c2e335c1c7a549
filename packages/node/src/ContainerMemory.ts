/**
 * The memory this process may use: the container's limit (cgroup v2 memory.max, or cgroup v1
 * memory.limit_in_bytes), else the machine's memory. The node's default memory budget is derived from it.
 */
import { nodeFs as fs } from '@rtmp-cluster/core';
import os from 'node:os';

/** cgroup v1 writes a page-rounded 2^63 when there is no limit; anything this large means "none". */
const UNLIMITED_ABOVE = 2 ** 60;
/** the budget covers what peers make the node hold, not its heap, GOP caches and code */
const BUDGET_SHARE = 0.25;
const MIN_DEFAULT_BUDGET_MB = 64;

const CGROUP_LIMIT_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/** The container's memory limit in bytes, or undefined when there is none (or no cgroup to read). */
export function containerMemoryLimitBytes(files: readonly string[] = CGROUP_LIMIT_FILES): number | undefined {
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    if (text === 'max') return undefined;
    const n = Number(text);
    if (Number.isFinite(n) && n > 0) return n < UNLIMITED_ABOVE ? n : undefined;
  }
  return undefined;
}

/** RTMPC_MEMORY_BUDGET_MB when unset: a quarter of the container's limit (or of the machine's memory), at least 64 MB. */
export function defaultMemoryBudgetMb(limitBytes: number | undefined = containerMemoryLimitBytes()): number {
  const total = limitBytes ?? os.totalmem();
  return Math.max(MIN_DEFAULT_BUDGET_MB, Math.floor((total * BUDGET_SHARE) / (1024 * 1024)));
}

// CPU time and resident memory of a process tree, from /proc (Linux only).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function childrenOf(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return out;
  }
  for (const t of tasks) out.push(Number(t));
  return out;
}

/** pid and its descendants (a server may fork workers); bounded depth. */
export function processTree(pid) {
  const all = [pid];
  let frontier = [pid];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next = [];
    for (const p of frontier) next.push(...childrenOf(p));
    all.push(...next);
    frontier = next;
  }
  return all;
}

/** utime + stime in seconds of one process (all its threads), or 0 if it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces; fields after ')' are fixed
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // fields 14 and 15 of the full line
  } catch {
    return 0;
  }
}

/** VmRSS in bytes of one process, or 0 if it is gone. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeCpuSeconds(pid) {
  return processTree(pid).reduce((s, p) => s + cpuSeconds(p), 0);
}

export function treeRssBytes(pid) {
  return processTree(pid).reduce((s, p) => s + rssBytes(p), 0);
}

/** Machine-wide busy and total CPU seconds (all cores) from /proc/stat, to show what else ran during a window. */
export function machineCpuSeconds() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + v[4];
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

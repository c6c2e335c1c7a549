/**
 * RTMPC_* variables the node does not know. A misspelled setting (`RTMPC_RTMP_PRT=31100`) silently left at
 * its default is a production incident waiting to happen, so an unknown name stops the node, naming the
 * setting that was probably meant.
 */
import { OTHER_VARIABLES, SETTINGS, TOOLING_PREFIXES } from './schema.js';

export const ENV_PREFIX = 'RTMPC_';

const KNOWN = new Set([...SETTINGS.map((s) => s.env), ...OTHER_VARIABLES.map((v) => v.name)]);

/**
 * Kubernetes injects `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT=tcp://...` and friends for every Service in
 * the namespace; a Service whose name starts with "rtmpc-" produces RTMPC_* names that are not ours.
 */
function isServiceLink(name: string, value: string | undefined): boolean {
  if (/_SERVICE_HOST$|_SERVICE_PORT(_[A-Z0-9_]+)?$|_PORT_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?$/.test(name)) return true;
  return /_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value ?? '');
}

/** Whether the node accepts this RTMPC_* name (a setting, a documented non-setting, tooling, service link). */
export function isAcceptedVariable(name: string, value?: string): boolean {
  return KNOWN.has(name) || TOOLING_PREFIXES.some((p) => p.test(name)) || isServiceLink(name, value);
}

/** One problem line per unknown RTMPC_* variable in `env`. */
export function unknownVariableProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || isAcceptedVariable(name, value)) continue;
    const guess = closest(name, [...KNOWN]);
    problems.push(`unknown setting ${name} (${guess !== undefined ? `did you mean ${guess}?` : 'rtmp-cluster --help lists the settings'})`);
  }
  return problems;
}

/**
 * The candidate an operator most likely meant: the fewest single-character edits (insert, delete, replace,
 * swap of neighbours), within about a third of the name, or the same words in another order.
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const words = (s: string): string => s.split('_').sort().join('_');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = words(c) === words(name) ? 1 : editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const core = name.startsWith(ENV_PREFIX) ? name.length - ENV_PREFIX.length : name.length;
  return bestDistance <= Math.max(2, Math.floor(core / 3)) ? best : undefined;
}

/** Optimal string alignment distance (Levenshtein plus transposition of adjacent characters). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

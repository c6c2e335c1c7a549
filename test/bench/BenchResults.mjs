// What every benchmark records next to its numbers: the machine it ran on and how busy it was, and where
// its JSON goes (bench/results/, committed; the README's performance table is rendered from those files by
// test/bench/perf-table.mjs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results');

/** Cores, CPU model, kernel, node version and the load average when the run started. */
export function describeMachine() {
  const cpus = os.cpus();
  let nginx = null;
  try {
    nginx = execFileSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() || null;
  } catch (err) {
    nginx = typeof err?.stderr === 'string' && err.stderr.includes('nginx version') ? err.stderr.trim() : null;
  }
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    nginx,
  };
}

/**
 * `servers` repeated `rounds` times in alternation (A B A B ...), so a drift in machine load during the run
 * lands on both sides of a comparison instead of on one.
 */
export function alternation(servers, rounds) {
  const order = [];
  for (let r = 0; r < rounds; r++) order.push(...servers);
  return order;
}

/** Writes `result` as bench/results/<bench>-<ISO time>.json and prints it as JSON on stdout. */
export function recordResult(bench, result) {
  const doc = { bench, at: new Date().toISOString(), ...result };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${bench}-${doc.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(doc)}\n`);
  process.stderr.write(`results written to ${path.relative(process.cwd(), file)}\n`);
  return file;
}

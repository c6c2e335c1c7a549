// Where a process spent its CPU, from a V8 .cpuprofile (node --cpu-prof): self time per function and per area
// (the project's packages, Node's own JavaScript, GC, native code), idle time left out. Numbers only.
//
//   node test/bench/profile/cpu-profile-summary.mjs PROFILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: cli, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
if (positionals.length !== 1) {
  console.error('usage: cpu-profile-summary.mjs PROFILE.cpuprofile [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

/** The area a frame's code belongs to: a package of ours, Node's own library, a dependency, or V8/native. */
function areaOf(frame) {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)' || functionName === '(root)') return 'native (V8, libuv, syscalls)';
  const ours = /packages\/([a-z]+)\/dist\//.exec(url);
  if (ours) return `@rtmp-cluster/${ours[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  return url === '' ? 'native (V8, libuv, syscalls)' : 'other';
}

// Samples give each node's self time; the time deltas weight them.
const selfUs = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const perFunction = new Map();
const perArea = new Map();
let busyUs = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  const frame = node.callFrame;
  if (frame.functionName === '(idle)') continue;
  busyUs += us;
  const area = areaOf(frame);
  perArea.set(area, (perArea.get(area) ?? 0) + us);
  const where = frame.url ? `${frame.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
  perFunction.set(key, (perFunction.get(key) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const wallS = (profile.endTime - profile.startTime) / 1e6;
console.log(`profile: ${wallS.toFixed(1)} s of wall time, ${(busyUs / 1e6).toFixed(1)} s busy (${((100 * busyUs) / 1e6 / wallS).toFixed(0)}% of one core)`);
console.log('\nself time by area');
for (const [area, us] of [...perArea].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)}  ${area}`);
console.log(`\ntop ${cli.top} functions by self time`);
for (const [fn, us] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(cli.top))) console.log(`${pct(us)}  ${fn}`);

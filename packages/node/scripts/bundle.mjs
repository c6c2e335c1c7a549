// Bundles the compiled node (packages/node/dist/cli.js and every @rtmp-cluster package it imports) into
// packages/node/bundle/: the executable that ships. Resolving and linking ~220 ES modules at start cost about
// 10 MB of RSS on an idle node (docs/PERFORMANCE.md "Idle memory"); the bundle has a handful. Code splitting
// keeps the dynamic imports lazy (an all-in-one still never loads the cluster, relay or control code), and
// third-party packages stay external: they load from node_modules as before, each with its own files.
//
// The bundle sits one folder below packages/node, as dist/ does, so module-relative paths in the bundled code
// (the control package finds the repository's proto/ three folders up) resolve alike.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '../../..');
const outdir = path.join(root, 'packages/node/bundle');

/** Every dependency of every workspace package that is not a workspace package itself. */
function thirdParty() {
  const names = new Set();
  for (const dir of readdirSync(path.join(root, 'packages'))) {
    const pkg = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8'));
    for (const name of Object.keys(pkg.dependencies ?? {})) if (!name.startsWith('@rtmp-cluster/')) names.add(name);
  }
  return [...names].flatMap((n) => [n, `${n}/*`]);
}

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'packages/node/dist/cli.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: thirdParty(),
  logLevel: 'warning',
});

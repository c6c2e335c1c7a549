#!/usr/bin/env node
// Rewrites the README's generated blocks (configuration table, exit codes) from the settings schema.
// Run through `npm run docs:settings`, which builds first; test/docs/readme.test.ts fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rewriteReadme } from '../dist/settings/docs.js';

const file = resolve(import.meta.dirname, '../../../README.md');
const before = readFileSync(file, 'utf8');
const after = rewriteReadme(before);
if (after === before) console.log('README.md: settings already current');
else {
  writeFileSync(file, after);
  console.log('README.md: settings rewritten');
}

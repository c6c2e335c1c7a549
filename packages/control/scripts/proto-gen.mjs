#!/usr/bin/env node
// Writes src/generated/ (TypeScript types for proto/rtmpcluster/control/v1/control.proto) before the compiler
// runs: the root build, typecheck and lint scripts and `npm ci` (prepare) call it, git ignores the output.
// The generator writes into a temp dir and only files whose text changed are copied over, so an unchanged proto
// leaves the files' times alone and `tsc -b` keeps its incremental build.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const packageDir = resolve(import.meta.dirname, '..');
const repoRoot = resolve(packageDir, '../..');
const target = process.argv[2] ? resolve(process.argv[2]) : join(packageDir, 'src/generated');
const protoFile = 'proto/rtmpcluster/control/v1/control.proto';

// These options must match PROTO_LOADER_OPTIONS in src/ControlProto.ts (how the proto is loaded at run time).
const options = [
  '--importFileExtension=.js',
  '--grpcLib=@grpc/grpc-js',
  '--longs=Number',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--includeComments',
];

const require = createRequire(join(packageDir, 'package.json'));
const loaderDir = dirname(require.resolve('@grpc/proto-loader/package.json'));
const bin = join(loaderDir, JSON.parse(readFileSync(join(loaderDir, 'package.json'), 'utf8')).bin['proto-loader-gen-types']);

function listFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)));
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
}

function readOrNull(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

const fresh = mkdtempSync(join(tmpdir(), 'control-proto-gen-'));
try {
  // Run from the repository root so each file's "Original file" header names the proto the same way everywhere.
  execFileSync(process.execPath, [bin, ...options, `--outDir=${fresh}`, protoFile], { cwd: repoRoot, stdio: 'inherit' });
  const made = listFiles(fresh);
  let written = 0;
  for (const file of made) {
    const text = readFileSync(join(fresh, file), 'utf8');
    if (readOrNull(join(target, file)) === text) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), text);
    written++;
  }
  const stale = listFiles(target).filter((f) => !made.includes(f));
  for (const file of stale) rmSync(join(target, file));
  if (written > 0 || stale.length > 0) {
    console.log(`${relative(repoRoot, target)}: ${written} written, ${stale.length} removed`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

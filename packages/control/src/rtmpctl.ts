#!/usr/bin/env node
// The rtmpctl executable; the commands live in RtmpctlCli.ts.
import { ExitCode, main } from './RtmpctlCli.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rtmpctl: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = ExitCode.Failed;
  },
);

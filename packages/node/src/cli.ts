#!/usr/bin/env node
/**
 * The rtmp-cluster executable: `rtmp-cluster [all-in-one|origin|edge|control] [--config FILE.json]`.
 * Exit codes: ExitCode.ts (listed by --help and the README).
 */
import { runSignCommand } from '@rtmp-cluster/auth';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, NODE_ROLES, type NodeConfig, type NodeRole } from './config.js';
import { exitCode } from './ExitCode.js';
import { createNode, RUNNABLE_ROLES } from './Node.js';
import { runNodeProcess, writeProblemLines } from './NodeProcess.js';
import { renderHelp } from './settings/docs.js';

interface CliArgs {
  role: NodeRole | undefined;
  configFile: string | undefined;
  help: boolean;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { role: undefined, configFile: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--config' || a === '-c') {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(['--config: expected a file path']);
      args.configFile = v;
    } else if (a.startsWith('--config=')) args.configFile = a.slice('--config='.length);
    else if (!a.startsWith('-') && args.role === undefined) {
      if (!(NODE_ROLES as readonly string[]).includes(a)) {
        throw new ConfigError([`role: expected one of ${NODE_ROLES.join(', ')}, got ${JSON.stringify(a)}`]);
      }
      args.role = a as NodeRole;
    } else throw new ConfigError([`unexpected argument ${JSON.stringify(a)} (rtmp-cluster --help shows the usage)`]);
  }
  return args;
}

async function main(): Promise<number> {
  // `rtmp-cluster sign ...`: mint a stream token or signed URL (secret from the env var named by --secret-env).
  if (process.argv[2] === 'sign') {
    const r = runSignCommand(process.argv.slice(2), process.env);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  }
  let args: CliArgs;
  let config: NodeConfig;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      process.stdout.write(renderHelp());
      return exitCode('ok');
    }
    config = loadConfig({ configFile: args.configFile, overrides: args.role ? { role: args.role } : {} });
  } catch (err) {
    if (err instanceof ConfigError) {
      writeProblemLines(err.problems);
      return exitCode('config');
    }
    throw err;
  }
  // Imported on demand: the control plane's gRPC stack is no part of an RTMP node.
  if (config.role === 'control') return (await import('./roles/controlRole.js')).runControlProcess(config);
  if (!RUNNABLE_ROLES.includes(config.role)) {
    writeProblemLines([`role '${config.role}' is not implemented yet; ${RUNNABLE_ROLES.join(', ')} run in this version`]);
    return exitCode('config');
  }

  return runNodeProcess({
    config,
    create: () => {
      const node = createNode(config);
      exitOnUncaughtErrors(node.logger);
      return node;
    },
    startFailureMessage: 'node failed to start',
    // SIGTERM (Kubernetes rollout, scale-in) drains like the control plane's drain command: capable clients
    // are asked to reconnect elsewhere, the rest are served until the deadline. SIGINT stops at once.
    shutdown: (node, signal) =>
      signal === 'SIGTERM'
        ? node.drain().then(
            () => node.drained().then(() => node.stop()),
            () => node.stop(),
          )
        : node.stop(),
    shutdownDeadlineMs: config.drainTimeoutMs + 5000,
    // `rtmpctl drain NODE` (without --stay): the drained process exits 0 and its supervisor starts a fresh one.
    finishedWithoutSignal: (node) => node.drainedToExit(),
  });
}

/** An error nothing caught leaves the node in an unknown state: log it and exit rather than limp on. */
function exitOnUncaughtErrors(log: Logger): void {
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled promise rejection');
    process.exit(1);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything left (a stray timer or socket) must not keep a stopped node alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`rtmp-cluster: fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

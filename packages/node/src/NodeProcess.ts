/**
 * The executable's lifetime of a node of any role: build it, start it, serve until SIGTERM/SIGINT, shut down.
 * Exit codes: ExitCode.ts. A start failure the operator can fix (a port in use, Redis unreachable, a bad
 * certificate) is one line on stderr and its own exit code; anything else keeps its stack in the log.
 * A second signal, or a shutdown that outlives its deadline, exits 1 at once: an operator must always be
 * able to stop the process.
 */
import type { Logger } from 'pino';
import type { NodeConfig } from './config.js';
import { exitCode } from './ExitCode.js';
import { describeStartFailure } from './StartFailure.js';

/** What the process needs of a node (NodeHandle, ControlNodeHandle). */
export interface ProcessNode {
  readonly logger: Logger;
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface NodeProcessOptions<N extends ProcessNode> {
  /** the node's configuration: start failures name the setting involved */
  config: NodeConfig;
  /** builds the node; a ConfigError it throws exits 2 with its message */
  create(): N;
  /** the fatal log line when start fails */
  startFailureMessage: string;
  /** what a signal does: stop, or drain then stop */
  shutdown(node: N, signal: NodeJS.Signals): Promise<void>;
  /** the process exits 1 when the shutdown has not finished this long after the signal */
  shutdownDeadlineMs: number;
  /** resolves when the node is done without a signal (a drain command that does not stay): stop, exit 0 */
  finishedWithoutSignal?: (node: N) => Promise<void>;
}

/** Runs the node until a signal stopped it; resolves with the process exit code. */
export async function runNodeProcess<N extends ProcessNode>(o: NodeProcessOptions<N>): Promise<number> {
  let node: N;
  try {
    node = o.create();
  } catch (err) {
    const known = describeStartFailure(err, o.config);
    if (known === undefined) throw err;
    writeProblemLines(known.lines);
    return known.exitCode;
  }
  const log = node.logger;
  try {
    await node.start();
  } catch (err) {
    const known = describeStartFailure(err, o.config);
    if (known !== undefined) {
      // The log keeps a structured record (code, reason) without a stack: the cause is outside the code.
      log.fatal({ code: known.code, reason: known.lines.join('; ') }, o.startFailureMessage);
      writeProblemLines(known.lines);
    } else {
      log.fatal({ err }, o.startFailureMessage);
      writeProblemLines([`${o.startFailureMessage}: ${err instanceof Error ? err.message : String(err)}`]);
    }
    await node.stop().catch(() => undefined);
    return known?.exitCode ?? exitCode('failure');
  }
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      log.info({ signal }, 'shutting down');
      // Safety net: a drain has its own deadline; this catches anything that hangs past it.
      setTimeout(() => {
        log.error('shutdown did not finish in time: exiting');
        process.exit(1);
      }, o.shutdownDeadlineMs).unref();
      o.shutdown(node, signal).then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    o.finishedWithoutSignal?.(node).then(
      () => {
        if (signalled) return;
        log.info('drained: exiting so that a fresh process takes over');
        node.stop().then(
          () => resolve(0),
          (err: unknown) => {
            log.error({ err }, 'stop after the drain failed');
            resolve(1);
          },
        );
      },
      (err: unknown) => log.error({ err }, 'drain failed'),
    );
  });
}

/** `rtmp-cluster: <problem>`, one line each (a problem never spans lines, whatever its source wrote). */
export function writeProblemLines(lines: readonly string[]): void {
  for (const line of lines) process.stderr.write(`rtmp-cluster: ${line.replace(/\s*\n\s*/g, '; ')}\n`);
}

/**
 * The executable's lifetime of a node of any role: build it, start it, serve until SIGTERM/SIGINT, shut down.
 * Exit codes (cli.ts documents them): 0 clean shutdown, 1 start or shutdown failure, 2 bad configuration.
 * A second signal, or a shutdown that outlives its deadline, exits 1 at once: an operator must always be
 * able to stop the process.
 */
import type { Logger } from 'pino';
import { ConfigError } from './config.js';

/** What the process needs of a node (NodeHandle, ControlNodeHandle). */
export interface ProcessNode {
  readonly logger: Logger;
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

export interface NodeProcessOptions<N extends ProcessNode> {
  /** builds the node; a ConfigError it throws exits 2 with its message */
  create(): N;
  /** the fatal log line when start fails */
  startFailureMessage: string;
  /** more for the operator when start fails (after the fatal log, before the node is stopped) */
  onStartFailure?(err: unknown): void;
  /** what a signal does: stop, or drain then stop */
  shutdown(node: N, signal: NodeJS.Signals): Promise<void>;
  /** the process exits 1 when the shutdown has not finished this long after the signal */
  shutdownDeadlineMs: number;
}

/** Runs the node until a signal stopped it; resolves with the process exit code. */
export async function runNodeProcess<N extends ProcessNode>(o: NodeProcessOptions<N>): Promise<number> {
  let node: N;
  try {
    node = o.create();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rtmp-cluster: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = node.logger;
  try {
    await node.start();
  } catch (err) {
    log.fatal({ err }, o.startFailureMessage);
    o.onStartFailure?.(err);
    await node.stop().catch(() => undefined);
    return 1;
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
  });
}

/** The node's pino root logger; every component gets a child with its own bindings. */
import { redactSecrets, redactText } from '@rtmp-cluster/core';
import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  nodeId: string;
  role: string;
  /** where JSON lines go (tests pass a capture stream); default stdout */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { nodeId: opts.nodeId, role: opts.role },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Clients put credentials in tcUrls, stream names and queries; whatever a component logs (fields, child
      // bindings, messages, errors), their values are replaced here, once, for every line.
      formatters: {
        bindings: (b) => redactSecrets(b),
        log: (o) => redactSecrets(o),
      },
      serializers: { err: (e: unknown) => redactSecrets(e instanceof Error ? pino.stdSerializers.err(e) : e) },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = redactText(args[i] as string);
          method.apply(this, args);
        },
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The logger a node runs with: the one its caller passed, else a root logger for its config. */
export function nodeLogger(
  config: { logLevel: string; nodeId: string; role: string },
  options: { logger?: Logger; logDestination?: DestinationStream },
): Logger {
  return options.logger ?? createLogger({ level: config.logLevel, nodeId: config.nodeId, role: config.role, destination: options.logDestination });
}

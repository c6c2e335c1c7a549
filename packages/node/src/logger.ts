/** The node's pino root logger; every component gets a child with its own bindings. */
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
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The subset of a pino logger the relay uses; a pino Logger satisfies it. */
export interface RelayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): RelayLogger;
}

export const silentRelayLogger: RelayLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** logger.child(bindings) when the logger has one, else the logger itself. */
export function childLogger(logger: RelayLogger, bindings: Record<string, unknown>): RelayLogger {
  return logger.child ? logger.child(bindings) : logger;
}

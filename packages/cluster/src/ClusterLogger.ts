/** The subset of a pino logger the cluster roles use; a pino Logger satisfies it. */
export interface ClusterLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): ClusterLogger;
}

export const silentClusterLogger: ClusterLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export function childOf(logger: ClusterLogger, bindings: Record<string, unknown>): ClusterLogger {
  return logger.child ? logger.child(bindings) : logger;
}

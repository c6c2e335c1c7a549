/**
 * The logger every package accepts: the (object, message) subset of pino, so a pino Logger is one without an
 * adapter. Fields go in the object (`{ stream, connId, errorCode }`), never interpolated into the message.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** a logger that adds `bindings` to every line */
  child(bindings: Record<string, unknown>): Logger;
}

/** Drops everything: the default for components constructed without a logger (unit tests, libraries). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

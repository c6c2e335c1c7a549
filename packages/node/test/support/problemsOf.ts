import { ConfigError } from '../../src/config.js';
import { thrownBy } from '../../../../test/support/thrownBy.js';

/** The problem lines of the ConfigError `fn` throws; fails the test when it throws nothing or something else. */
export function problemsOf(fn: () => unknown): string[] {
  return thrownBy(fn, ConfigError).problems;
}

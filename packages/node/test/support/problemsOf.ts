import { expect } from 'vitest';
import { ConfigError } from '../../src/config.js';

/** The problem lines of the ConfigError `fn` throws; fails the test when it throws nothing or something else. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

import { expect } from 'vitest';
import { RtmpError } from '@rtmp-cluster/rtmp';

/** The RtmpError code `fn` throws, undefined when it returns. Anything but an RtmpError escapes (and fails the test). */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RtmpError) return err.code;
    throw err;
  }
  return undefined;
}

/** Asserts that `fn` throws an RtmpError with `code` (and a message matching `message`, when given). */
export function expectRtmpError(fn: () => unknown, code: string, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RtmpError);
  expect((caught as RtmpError).code).toBe(code);
  if (message) expect((caught as RtmpError).message).toMatch(message);
}

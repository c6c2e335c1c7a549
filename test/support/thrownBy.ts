import { expect } from 'vitest';

/** The error `fn` throws, checked to be an `errorClass`; fails the test when `fn` returns or throws anything else. */
export function thrownBy<E extends Error>(fn: () => unknown, errorClass: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(errorClass);
    return err as E;
  }
  throw new Error(`expected a ${errorClass.name}, nothing was thrown`);
}

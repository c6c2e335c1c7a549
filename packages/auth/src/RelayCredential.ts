import { constantTimeEqual } from './constantTimeEqual.js';

/**
 * Name of the field in the connect command object (and, as a fallback, the play name's query parameter) that
 * carries RTMPC_RELAY_TOKEN from an edge to an origin. Origins let a connection that presents it past play auth.
 */
export const RELAY_TOKEN_FIELD = 'rtmpcRelayToken';

/**
 * true only when a relay token is configured (`expected` non-empty) and `presented` is exactly it. With no
 * relay token configured nobody is a relay, so an outsider cannot pass as an edge by sending an empty field.
 */
export function verifyRelayCredential(presented: unknown, expected: string | undefined): boolean {
  if (typeof expected !== 'string' || expected === '') return false;
  if (typeof presented !== 'string' || presented === '') return false;
  return constantTimeEqual(presented, expected);
}

/**
 * The relay credential a client presented, if any: the connect command object's RELAY_TOKEN_FIELD, else the
 * same-named query parameter. Does not verify it.
 */
export function readRelayCredential(commandObject: unknown, query?: Record<string, string>): string | undefined {
  if (typeof commandObject === 'object' && commandObject !== null) {
    const value = (commandObject as Record<string, unknown>)[RELAY_TOKEN_FIELD];
    if (typeof value === 'string' && value !== '') return value;
  }
  const fromQuery = query?.[RELAY_TOKEN_FIELD];
  return fromQuery !== undefined && fromQuery !== '' ? fromQuery : undefined;
}

import { constantTimeEqual } from './constantTimeEqual.js';

/**
 * Name of the field in the connect command object that carries RTMPC_RELAY_TOKEN from an edge to an origin.
 * Origins let a connection that presents it past play auth. Never read from a query: a URL ends up in players'
 * histories, proxies' and webhooks' logs.
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
 * The relay credential a client presented in its connect command object, if any. Does not verify it.
 */
export function readRelayCredential(commandObject: unknown): string | undefined {
  if (typeof commandObject === 'object' && commandObject !== null) {
    const value = (commandObject as Record<string, unknown>)[RELAY_TOKEN_FIELD];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

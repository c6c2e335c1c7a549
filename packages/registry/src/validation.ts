import { formatStreamKey, isHostPort, isStreamKeyError, parseStreamKey } from '@rtmp-cluster/core';
import { RegistryError } from './errors.js';
import type { ClaimRequest } from './types.js';

export const MAX_NODE_ID_LENGTH = 128;

// Control characters would corrupt logs, Redis keys and NATS subjects.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The key of app/name by the core rule; a bad one is this package's INVALID_ARGUMENT (the registry's contract). */
export function registryStreamKey(app: string, name: string): string {
  return asRegistryError(() => formatStreamKey(app, name));
}

/** Checks a key by the core rule; a bad one is an INVALID_ARGUMENT. */
export function checkStreamKey(key: string): void {
  asRegistryError(() => parseStreamKey(key));
}

function asRegistryError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isStreamKeyError(err)) throw new RegistryError('INVALID_ARGUMENT', err.message, { cause: err });
    throw err;
  }
}

export function validateNodeId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NODE_ID_LENGTH || CONTROL.test(id)) {
    throw new RegistryError(
      'INVALID_ARGUMENT',
      `node id must be 1..${MAX_NODE_ID_LENGTH} printable characters: ${JSON.stringify(id)}`,
    );
  }
}

/** 'host:port' with a port in 1..65535; host may be a name, IPv4 or [IPv6]. */
export function validateAddress(address: string): void {
  if (!isHostPort(address)) {
    throw new RegistryError('INVALID_ARGUMENT', `address must be 'host:port': ${JSON.stringify(address)}`);
  }
}

export function validatePositiveMs(what: string, ms: number): void {
  if (!Number.isInteger(ms) || ms <= 0 || ms > 86_400_000) {
    throw new RegistryError('INVALID_ARGUMENT', `${what} must be an integer number of ms in 1..86400000, got ${ms}`);
  }
}

export function validateEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 1) {
    throw new RegistryError('INVALID_ARGUMENT', `epoch must be a positive integer, got ${epoch}`);
  }
}

/** The checks both registries run on a claim: returns its stream key and lease. */
export function checkClaim(req: ClaimRequest, defaultLeaseMs: number): { key: string; leaseMs: number } {
  const key = registryStreamKey(req.app, req.name);
  validateNodeId(req.nodeId);
  validateAddress(req.address);
  const leaseMs = req.leaseMs ?? defaultLeaseMs;
  validatePositiveMs('leaseMs', leaseMs);
  return { key, leaseMs };
}

/** The checks both registries run on an epoch-fenced operation (renew with its lease, release, update). */
export function checkFenced(key: string, epoch: number, leaseMs?: number): void {
  checkStreamKey(key);
  validateEpoch(epoch);
  if (leaseMs !== undefined) validatePositiveMs('leaseMs', leaseMs);
}

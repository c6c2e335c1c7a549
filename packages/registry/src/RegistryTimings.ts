import { validatePositiveMs } from './validation.js';
import { DEFAULT_EPOCH_RETENTION_MS, DEFAULT_EXPIRED_CLAIM_GRACE_MS, DEFAULT_LEASE_MS, DEFAULT_NODE_TTL_MS, type RegistryTimings } from './types.js';

/** A registry's timings with the defaults filled in; a timing that is not a positive duration is an INVALID_ARGUMENT. */
export function resolveRegistryTimings(options: RegistryTimings): Required<RegistryTimings> {
  const timings = {
    nodeTtlMs: options.nodeTtlMs ?? DEFAULT_NODE_TTL_MS,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    expiredClaimGraceMs: options.expiredClaimGraceMs ?? DEFAULT_EXPIRED_CLAIM_GRACE_MS,
    epochRetentionMs: options.epochRetentionMs ?? DEFAULT_EPOCH_RETENTION_MS,
  };
  validatePositiveMs('nodeTtlMs', timings.nodeTtlMs);
  validatePositiveMs('leaseMs', timings.leaseMs);
  validatePositiveMs('expiredClaimGraceMs', timings.expiredClaimGraceMs);
  validatePositiveMs('epochRetentionMs', timings.epochRetentionMs);
  return timings;
}

/**
 * End-to-end authentication of node commands, independent of who may publish on NATS: the control plane
 * signs every command with the cluster secret (HMAC-SHA256 over command name, target node id, arguments,
 * issue time and a random nonce) and the node obeys only commands that verify, were issued within
 * ±COMMAND_WINDOW_MS of its clock, and whose nonce it has not seen inside that window.
 *
 * Pure: time and nonces come from the caller, so vectors test it without clocks or randomness.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeCommand } from './commands.js';
import { CommandAuthError } from './errors.js';

/** How far a command's issue time may be from the node's clock (either way). */
export const COMMAND_WINDOW_MS = 30_000;
/** Nonces remembered at most; beyond it (a flood of valid commands) the node refuses rather than forgets. */
export const MAX_REMEMBERED_NONCES = 100_000;

/** The wire form of a signed command: the command itself plus `auth`. */
export interface SignedCommandEnvelope {
  command: NodeCommand;
  auth: { target: string; iat: number; nonce: string; sig: string };
}

/** Arguments with sorted keys, so sender and node hash the same bytes whatever order JSON kept. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

function mac(secret: string, command: NodeCommand, target: string, iat: number, nonce: string): Buffer {
  const { cmd, ...args } = command;
  // Each field JSON-encoded and the list too: no field can run into the next.
  const message = JSON.stringify(['rtmpc-node-command-v1', cmd, target, canonical(args), iat, nonce]);
  return createHmac('sha256', secret).update(message).digest();
}

export function signCommand(secret: string, target: string, command: NodeCommand, iat: number, nonce = randomBytes(16).toString('hex')): SignedCommandEnvelope {
  return { command, auth: { target, iat, nonce, sig: mac(secret, command, target, iat, nonce).toString('base64url') } };
}

/** A node's side: verifies envelopes addressed to `nodeId` and remembers nonces for the window. */
export class CommandVerifier {
  /** nonce → the time it may be forgotten (issue time + window: after that the command is stale anyway) */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    private readonly nodeId: string,
    private readonly maxNonces = MAX_REMEMBERED_NONCES,
  ) {}

  /** The command inside `raw` if it is authentic, fresh and new; a CommandAuthError otherwise. */
  verify(raw: unknown, now: number): unknown {
    const env = raw as Partial<SignedCommandEnvelope> | null;
    const auth = typeof env === 'object' && env !== null && !Array.isArray(env) ? env.auth : undefined;
    if (
      typeof auth !== 'object' || auth === null ||
      typeof auth.target !== 'string' || typeof auth.iat !== 'number' || !Number.isFinite(auth.iat) ||
      typeof auth.nonce !== 'string' || auth.nonce.length < 16 || auth.nonce.length > 128 || typeof auth.sig !== 'string' ||
      typeof env!.command !== 'object' || env!.command === null || typeof (env!.command as { cmd?: unknown }).cmd !== 'string'
    ) {
      throw new CommandAuthError('COMMAND_UNSIGNED', 'command is not signed with the cluster secret');
    }
    const expected = mac(this.secret, env!.command, auth.target, auth.iat, auth.nonce);
    const given = Buffer.from(auth.sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || auth.target !== this.nodeId) {
      throw new CommandAuthError('COMMAND_BAD_SIGNATURE', 'command signature does not verify for this node');
    }
    if (Math.abs(now - auth.iat) > COMMAND_WINDOW_MS) {
      throw new CommandAuthError('COMMAND_STALE', `command issued ${Math.round((now - auth.iat) / 1000)} s from this node's clock (window ±${COMMAND_WINDOW_MS / 1000} s)`);
    }
    this.forgetExpired(now);
    if (this.seen.has(auth.nonce)) throw new CommandAuthError('COMMAND_REPLAYED', 'command nonce already used');
    if (this.seen.size >= this.maxNonces) throw new CommandAuthError('COMMAND_NONCE_CACHE_FULL', 'too many commands inside the replay window');
    this.seen.set(auth.nonce, auth.iat + COMMAND_WINDOW_MS);
    return env!.command;
  }

  private forgetExpired(now: number): void {
    for (const [nonce, until] of this.seen) if (until < now) this.seen.delete(nonce);
  }
}

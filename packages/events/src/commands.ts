import { CommandAuthError, EventBusError } from './errors.js';

/** Control-plane commands a node serves on P.v1.node.<nodeId>.cmd (JSON request, JSON reply). */
export type NodeCommand =
  | { cmd: 'kick-session'; sessionId: string; reason?: string }
  | { cmd: 'kick-publisher'; key: string; reason?: string }
  | {
      cmd: 'drain';
      /** stop accepting, finish within this many ms */
      timeoutMs?: number;
      /** once drained, keep running (idle, not ready) until 'undrain' instead of exiting */
      stay?: boolean;
    }
  | { cmd: 'undrain' }
  | { cmd: 'list-sessions'; key?: string }
  | { cmd: 'stats' };

export type NodeCommandName = NodeCommand['cmd'];

/**
 * Serves one command; the resolved value (JSON-serializable) is the reply. Throw an Error with a string
 * `code` property to reply with that code (the requester gets COMMAND_FAILED with remoteCode = code).
 */
export type CommandHandler = (command: NodeCommand) => unknown;

/** Wire format of a reply. */
export type CommandReply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const NAMES: ReadonlySet<string> = new Set(['kick-session', 'kick-publisher', 'drain', 'undrain', 'list-sessions', 'stats']);
export const MAX_COMMAND_BYTES = 64 * 1024;

export function validateCommand(value: unknown): NodeCommand {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventBusError('INVALID_ARGUMENT', 'command must be a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (typeof o.cmd !== 'string' || !NAMES.has(o.cmd)) {
    throw new EventBusError('INVALID_ARGUMENT', `unknown command ${JSON.stringify(o.cmd)}`);
  }
  const needString = (f: string, optional: boolean): void => {
    const v = o[f];
    if (v === undefined && optional) return;
    if (typeof v !== 'string' || v.length === 0 || v.length > 1024) {
      throw new EventBusError('INVALID_ARGUMENT', `${o.cmd as string}: ${f} must be a non-empty string`);
    }
  };
  switch (o.cmd) {
    case 'kick-session':
      needString('sessionId', false);
      needString('reason', true);
      break;
    case 'kick-publisher':
      needString('key', false);
      needString('reason', true);
      break;
    case 'drain':
      if (o.timeoutMs !== undefined && (typeof o.timeoutMs !== 'number' || !(o.timeoutMs >= 0))) {
        throw new EventBusError('INVALID_ARGUMENT', 'drain: timeoutMs must be a number >= 0');
      }
      if (o.stay !== undefined && typeof o.stay !== 'boolean') throw new EventBusError('INVALID_ARGUMENT', 'drain: stay must be a boolean');
      break;
    case 'list-sessions':
      needString('key', true);
      break;
  }
  return o as unknown as NodeCommand;
}

/**
 * Runs the handler and turns its outcome into a reply; never throws. `authenticate` (signed buses) takes
 * the parsed request and returns the command inside it, or throws a coded error that becomes the reply.
 */
export async function runCommand(handler: CommandHandler, raw: string, authenticate?: (parsed: unknown) => unknown): Promise<CommandReply> {
  let command: NodeCommand;
  try {
    if (raw.length > MAX_COMMAND_BYTES) throw new EventBusError('INVALID_ARGUMENT', 'command larger than 64 KiB');
    const parsed: unknown = JSON.parse(raw);
    command = validateCommand(authenticate ? authenticate(parsed) : parsed);
  } catch (err) {
    const message = err instanceof SyntaxError ? 'command is not JSON' : (err as Error).message;
    const code = err instanceof CommandAuthError ? err.code : 'INVALID_ARGUMENT';
    return { ok: false, error: { code, message } };
  }
  try {
    const result = await handler(command);
    // JSON round trip now, so a non-serializable result is reported as a failure, not a hung request.
    return { ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return {
      ok: false,
      error: {
        code: typeof e?.code === 'string' ? e.code : 'COMMAND_ERROR',
        message: typeof e?.message === 'string' ? e.message : String(err),
      },
    };
  }
}

/** Turns a wire reply into the result or a typed COMMAND_FAILED error. */
export function unwrapReply(nodeId: string, command: NodeCommand, raw: string): unknown {
  let reply: CommandReply;
  try {
    reply = JSON.parse(raw) as CommandReply;
  } catch (err) {
    throw new EventBusError('COMMAND_FAILED', `node ${nodeId} sent a reply that is not JSON`, { cause: err });
  }
  if (reply && reply.ok === true) return reply.result;
  const code = reply && reply.ok === false && typeof reply.error?.code === 'string' ? reply.error.code : 'UNKNOWN';
  const message = reply && reply.ok === false ? String(reply.error?.message) : 'malformed reply';
  throw new EventBusError('COMMAND_FAILED', `node ${nodeId} failed ${command.cmd}: ${message}`, { remoteCode: code });
}

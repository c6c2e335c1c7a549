/**
 * Why a node could not start, in one line an operator can act on, with the exit code that says what kind of
 * problem it is (ExitCode.ts): a listener that cannot be opened names its setting, an unreachable Redis or
 * NATS names its URL (without credentials). Anything else is a bug or an unforeseen condition and keeps its
 * stack in the log.
 *
 * Backend failures are recognised by their qualified code, not by class: importing the registry or events
 * package to test `instanceof` would load the Redis and NATS clients into every role (all-in-one included).
 */
import { qualifiedCodeOf } from '@rtmp-cluster/core';
import type { NodeConfig } from './config.js';
import { ConfigError } from './config.js';
import { exitCode } from './ExitCode.js';
import { NODE_SETTINGS } from './settings/schema.js';

export interface StartFailure {
  exitCode: number;
  /** one line per problem, no stack */
  lines: string[];
  /** the error's stable code (qualified for the project's errors), for the structured log */
  code: string;
}

const REGISTRY_UNAVAILABLE = 'registry.REGISTRY_UNAVAILABLE';
const BUS_UNAVAILABLE = 'events.BUS_UNAVAILABLE';

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied (ports below 1024 need privileges)',
};

/** user:password@ in a URL becomes ***@: a start failure line ends up in logs. */
export function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/g, '//***@');
}

/** The listener setting whose port (or host) an error names, e.g. RTMPC_RTMP_PORT. */
function listenerSetting(config: NodeConfig, port: unknown): string | undefined {
  const values = config as unknown as Record<string, unknown>;
  const candidates = NODE_SETTINGS.filter((s) => s.env.endsWith('_PORT') && values[s.key] === port);
  return candidates.length > 0 ? candidates.map((s) => s.env).join(' or ') : undefined;
}

interface ListenError {
  code: string;
  address: string | undefined;
  port: number | undefined;
}

function listenErrorOf(err: unknown): ListenError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    // Node's own listen errors carry code, address and port.
    const n = e as NodeJS.ErrnoException & { address?: string; port?: number };
    if (typeof n.code === 'string' && n.code in LISTEN_ERRORS) return { code: n.code, address: n.address, port: n.port };
    // grpc-js reports a failed bind only in its message: "... errors: [listen EADDRINUSE: address already in use 127.0.0.1:50051]"
    const m = /listen (E[A-Z]+)\b[^\]]*?\s(\S+):(\d+)\]/.exec(e.message);
    if (m !== null && m[1]! in LISTEN_ERRORS) return { code: m[1]!, address: m[2]!, port: Number(m[3]) };
  }
  return undefined;
}

export function describeStartFailure(err: unknown, config: NodeConfig): StartFailure | undefined {
  if (err instanceof ConfigError) return { exitCode: exitCode('config'), lines: err.problems, code: err.qualifiedCode };
  const listen = listenErrorOf(err);
  if (listen !== undefined) {
    const setting = listenerSetting(config, listen.port);
    const where = listen.address !== undefined && listen.port !== undefined ? `${listen.address}:${listen.port}` : 'a listener';
    return {
      exitCode: exitCode('listen'),
      lines: [`cannot listen on ${where}${setting !== undefined ? ` (${setting})` : ''}: ${LISTEN_ERRORS[listen.code]}`],
      code: listen.code,
    };
  }
  const code = qualifiedCodeOf(err);
  if (code === REGISTRY_UNAVAILABLE) {
    return {
      exitCode: exitCode('backend'),
      lines: [`cannot reach Redis at ${withoutCredentials(config.redisUrl)} (RTMPC_REDIS_URL): ${withoutCredentials((err as Error).message)}`],
      code,
    };
  }
  if (code === BUS_UNAVAILABLE) {
    return {
      exitCode: exitCode('backend'),
      lines: [`cannot reach NATS at ${config.natsServers.map(withoutCredentials).join(',')} (RTMPC_NATS_SERVERS): ${withoutCredentials((err as Error).message)}`],
      code,
    };
  }
  return undefined;
}

/**
 * Asks the network, not the registry, whether the origin holding a claim still exists: one TCP connect to its
 * advertised RTMP address. After a crash (SIGKILL, OOM kill) the registry keeps the dead origin's claim and node
 * record alive until they lapse (seconds), but its listening socket is gone at once, so the kernel refuses the
 * connect. Only a refusal (or an unreachable host) counts as proof of death. A connect that succeeds proves
 * nothing about the process (a SIGSTOPped origin still completes handshakes from its listen backlog), and a
 * timeout or a name that does not resolve proves nothing either: both are answered 'unknown'.
 */
import net from 'node:net';
import { tryParseHostPort, type HostPort } from '@rtmp-cluster/core';

/** 'gone': nobody listens there (process dead); 'accepting': something accepted; 'unknown': no answer or no address */
export type OwnerProbeVerdict = 'gone' | 'accepting' | 'unknown';

export interface OwnerProbeResult {
  verdict: OwnerProbeVerdict;
  /** the socket error code, 'connected', 'timeout' or 'bad-address' (for the log) */
  detail: string;
  elapsedMs: number;
}

/** Errors that mean no process listens at the address: the kernel (or the host's router) answered for it. */
const GONE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH']);

/** 'host:port' or '[v6]:port' → parts (the parser edges dial with); undefined if not usable. */
export function parseOwnerAddress(address: string): HostPort | undefined {
  return tryParseHostPort(address.trim());
}

/** One connect attempt to `address`, closed as soon as it is answered; never rejects, ends within timeoutMs. */
export function probeOwnerAddress(address: string, timeoutMs: number): Promise<OwnerProbeResult> {
  const started = Date.now();
  const target = parseOwnerAddress(address);
  if (!target) return Promise.resolve({ verdict: 'unknown', detail: 'bad-address', elapsedMs: 0 });
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (verdict: OwnerProbeVerdict, detail: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ verdict, detail, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish('unknown', 'timeout'), timeoutMs);
    socket.once('connect', () => finish('accepting', 'connected'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'error';
      finish(GONE_CODES.has(code) ? 'gone' : 'unknown', code);
    });
  });
}

/**
 * The PROXY protocol step of a fresh TCP connection, before RTMP (or TLS) starts: reads the header a trusted
 * load balancer writes, and hands over the client's address and whatever bytes followed it. A header is
 * honoured only from a trusted peer; anyone else sending one is refused (no spoofing). In 'optional' mode a
 * trusted peer may also send no header (told apart by the first byte).
 */
import type net from 'node:net';
import { normalizeIp, type CidrList } from '@rtmp-cluster/core';
import { parseProxyHeader, ProxyProtocolError, startsLikeProxyHeader, type ProxyAddress } from './ProxyHeader.js';

export const PROXY_PROTOCOL_MODES = ['off', 'optional', 'required'] as const;
export type ProxyProtocolMode = (typeof PROXY_PROTOCOL_MODES)[number];

export interface ProxyProtocolOptions {
  mode: ProxyProtocolMode;
  /** peers whose header is honoured */
  trusted: CidrList;
}

export type ProxyPrefaceOutcome =
  | { ok: true; client: ProxyAddress | undefined; rest: Buffer }
  | { ok: false; error: ProxyProtocolError }
  | { ok: false; error: 'timeout' | 'closed' };

/**
 * Reads the preface off `socket` and calls `done` once. On success the socket is paused with no data
 * listener of ours left: the caller attaches its own, feeds `rest`, and resumes.
 */
export function readProxyPreface(socket: net.Socket, options: ProxyProtocolOptions, timeoutMs: number, done: (outcome: ProxyPrefaceOutcome) => void): void {
  const peer = normalizeIp(socket.remoteAddress);
  const trusted = options.trusted.contains(peer);
  if (options.mode === 'required' && !trusted) {
    done({ ok: false, error: new ProxyProtocolError('PROXY_HEADER_UNTRUSTED', `${peer} is not a trusted proxy (PROXY protocol required)`) });
    return;
  }
  let buffered: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (outcome: ProxyPrefaceOutcome): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    if (outcome.ok) socket.pause();
    done(outcome);
  };
  const onData = (data: Buffer): void => {
    buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
    if (!startsLikeProxyHeader(buffered[0]!)) {
      if (options.mode === 'required') {
        finish({ ok: false, error: new ProxyProtocolError('PROXY_HEADER_MISSING', `no PROXY header from ${peer}`) });
      } else {
        finish({ ok: true, client: undefined, rest: buffered });
      }
      return;
    }
    if (!trusted) {
      finish({ ok: false, error: new ProxyProtocolError('PROXY_HEADER_UNTRUSTED', `PROXY header from ${peer}, which is not a trusted proxy`) });
      return;
    }
    try {
      const header = parseProxyHeader(buffered);
      if (header.kind === 'incomplete') return;
      finish({ ok: true, client: header.source, rest: buffered.subarray(header.length) });
    } catch (err) {
      finish({ ok: false, error: err as ProxyProtocolError });
    }
  };
  const onClose = (): void => finish({ ok: false, error: 'closed' });
  const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
  socket.on('data', onData);
  socket.once('close', onClose);
}

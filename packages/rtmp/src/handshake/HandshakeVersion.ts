import { RtmpError } from '../errors.js';
import { RTMP_VERSION } from './HandshakeDigest.js';

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/**
 * Throws HANDSHAKE_BAD_VERSION for anything but 3, naming the likely cause so
 * the log line says what the peer actually tried.
 */
export function assertRtmpVersion(version: number, packetName: 'C0' | 'S0'): void {
  if (version === RTMP_VERSION) return;
  let hint: string;
  if (version === 6 || version === 8 || version === 9) {
    hint = 'RTMPE (encrypted RTMP) is not supported; use rtmp:// or rtmps://';
  } else if (version === 0x16) {
    hint = 'this looks like a TLS ClientHello: an rtmps:// client on a plain RTMP port?';
  } else if (version === 0x47 || version === 0x50 || version === 0x48) {
    hint = 'this looks like HTTP, not RTMP';
  } else {
    hint = `expected ${RTMP_VERSION}`;
  }
  throw new RtmpError('HANDSHAKE_BAD_VERSION', `unsupported RTMP version ${version} in ${packetName}: ${hint}`);
}

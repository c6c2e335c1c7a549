/**
 * grpc-js's certificate provider interface fed by the caller: the server's TLS listener takes each new
 * certificate/key pair for new connections (http2 setSecureContext) without closing the listener or the
 * connections already open. The files are watched elsewhere (TlsCertificateReloader), once for every TLS listener.
 */
import type tls from 'node:tls';
import type { experimental } from '@grpc/grpc-js';

type IdentityUpdate = experimental.IdentityCertificateUpdate;
type IdentityListener = (update: IdentityUpdate | null) => void;

function toIdentity(secure: tls.SecureContextOptions): IdentityUpdate {
  const { cert, key } = secure;
  if (cert === undefined || key === undefined) throw new Error('a TLS certificate and key are both required');
  const one = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
  if (Array.isArray(cert) || Array.isArray(key)) throw new Error('exactly one certificate (chain) and key expected');
  return { certificate: one(cert), privateKey: one(key) };
}

export class ReloadableCertificateProvider implements experimental.CertificateProvider {
  private current: IdentityUpdate;
  private readonly listeners = new Set<IdentityListener>();

  constructor(initial: tls.SecureContextOptions) {
    this.current = toIdentity(initial);
  }

  /** Hands a new, already validated pair to every listener (connections opened from now on use it). */
  update(secure: tls.SecureContextOptions): void {
    this.current = toIdentity(secure);
    for (const l of this.listeners) l(this.current);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.listeners.add(listener);
    // grpc-js registers its own watcher only after this returns: a synchronous first update would be lost and
    // the listener would drop every connection until the next reload.
    queueMicrotask(() => {
      if (this.listeners.has(listener)) listener(this.current);
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.listeners.delete(listener);
  }

  // No client certificates are requested: the control API authenticates callers with the bearer token.
  addCaCertificateListener(): void {}
  removeCaCertificateListener(): void {}
}

/**
 * Keeps a TLS listener's certificate current (RTMPS, the gRPC control API): polls the certificate and key files (fs.watchFile, which
 * also works for files replaced by rename and for Kubernetes secret volumes, where inotify on the file is
 * unreliable) and, after a short settle delay, loads both and hands them to the listener. A pair that does
 * not load (half-written file, key not matching the certificate) is logged and the current one stays in use;
 * the next change tries again.
 */
import type { Stats } from 'node:fs';
import type tls from 'node:tls';
import type { Logger } from './Logger.js';
import { nodeFs as fs, nodeTls } from './NodeBuiltins.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsCertificateReloaderOptions extends TlsFiles {
  /** receives each new valid pair (RtmpServer.setSecureContext, ControlServer's certificate) */
  apply: (secure: tls.SecureContextOptions) => void;
  logger: Logger;
  /** how often the files are polled, default 5000 ms */
  pollIntervalMs?: number;
  /** wait this long after a change before loading, so cert and key written one after the other land together; default 200 ms */
  settleMs?: number;
}

/** Reads and checks a certificate/key pair; throws an Error naming the file that failed. */
export function loadTlsFiles(files: TlsFiles): tls.SecureContextOptions {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = fs.readFileSync(files.certFile);
  } catch (err) {
    throw new Error(`cannot read TLS certificate ${files.certFile}: ${(err as Error).message}`);
  }
  try {
    key = fs.readFileSync(files.keyFile);
  } catch (err) {
    throw new Error(`cannot read TLS key ${files.keyFile}: ${(err as Error).message}`);
  }
  const secure = { cert, key };
  try {
    // Parses both and checks that the key belongs to the certificate.
    nodeTls().createSecureContext(secure);
  } catch (err) {
    throw new Error(`TLS certificate ${files.certFile} / key ${files.keyFile} unusable: ${(err as Error).message}`);
  }
  return secure;
}

export class TlsCertificateReloader {
  private settleTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly log: Logger;
  private readonly onChange = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
    this.scheduleReload();
  };
  /** successful reloads since start (tests and metrics) */
  reloads = 0;
  /** reloads that failed (the previous certificate stayed in use) */
  failures = 0;

  constructor(private readonly options: TlsCertificateReloaderOptions) {
    this.log = options.logger.child({ component: 'tls-reloader' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const interval = this.options.pollIntervalMs ?? 5000;
    fs.watchFile(this.options.certFile, { interval, persistent: false }, this.onChange);
    fs.watchFile(this.options.keyFile, { interval, persistent: false }, this.onChange);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    fs.unwatchFile(this.options.certFile, this.onChange);
    fs.unwatchFile(this.options.keyFile, this.onChange);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
  }

  private scheduleReload(): void {
    if (!this.running) return;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.reload();
    }, this.options.settleMs ?? 200);
    this.settleTimer.unref();
  }

  /** Loads the files now and applies them if they are valid. Returns whether the new pair is in use. */
  reload(): boolean {
    let secure: tls.SecureContextOptions;
    try {
      secure = loadTlsFiles(this.options);
    } catch (err) {
      this.failures++;
      this.log.error({ err: (err as Error).message }, 'tls certificate reload failed: keeping the current certificate');
      return false;
    }
    try {
      this.options.apply(secure);
    } catch (err) {
      this.failures++;
      this.log.error({ err: (err as Error).message }, 'tls certificate could not be applied: keeping the current certificate');
      return false;
    }
    this.reloads++;
    this.log.info({ certFile: this.options.certFile }, 'tls certificate reloaded');
    return true;
  }
}

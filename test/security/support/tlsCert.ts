/**
 * Self-signed certificates for RTMPS tests, made with the openssl command line in a temp dir, and the
 * SHA-256 fingerprint of the certificate a TLS server presents (node:tls client, no verification).
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

export interface TestCert {
  certFile: string;
  keyFile: string;
  /** SHA-256 fingerprint as node prints it (AA:BB:...) */
  fingerprint256: string;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${String(stderr)}`));
      else resolve();
    });
  });
}

/** `openssl req -x509` with a fresh EC key, CN=`cn`, SAN 127.0.0.1 and localhost. */
export async function makeSelfSignedCert(dir: string, name: string, cn = 'rtmpc-test'): Promise<TestCert> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  const fingerprint256 = new X509Certificate(fs.readFileSync(certFile)).fingerprint256;
  return { certFile, keyFile, fingerprint256 };
}

/** Connects with TLS (no verification) and returns the fingerprint of the server's certificate. */
export function presentedFingerprint(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fp);
    });
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error('tls connect timed out'));
    });
    socket.once('error', reject);
  });
}

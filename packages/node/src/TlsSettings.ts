/**
 * A certificate/key pair named by two settings, checked at startup: a pair that does not load (not PEM, a key of
 * another certificate) is the operator's to fix and stops the node with exit 2, naming both variables. Shared by
 * the RTMPS listener and the gRPC control API.
 */
import type tls from 'node:tls';
import { loadTlsFiles, type TlsFiles } from '@rtmp-cluster/core';
import { ConfigError } from './config.js';

export function loadConfiguredTls(files: TlsFiles, certEnv: string, keyEnv: string): tls.SecureContextOptions {
  try {
    return loadTlsFiles(files);
  } catch (err) {
    throw new ConfigError([`${certEnv} and ${keyEnv}: ${(err as Error).message}`]);
  }
}

/** The gRPC control API's listener settings, for the control role and the all-in-one alike. */
import type { ControlServerOptions } from '@rtmp-cluster/control';
import type { NodeConfig } from './config.js';
import { loadConfiguredTls } from './TlsSettings.js';

export function controlApiListener(c: NodeConfig, token: string): Pick<ControlServerOptions, 'token' | 'host' | 'port' | 'tls'> {
  const listener = { token, host: c.grpcHost, port: c.grpcPort };
  if (c.grpcTlsCertFile === undefined || c.grpcTlsKeyFile === undefined) return listener;
  const files = { certFile: c.grpcTlsCertFile, keyFile: c.grpcTlsKeyFile };
  // Checked here so a bad pair is a configuration error (exit 2) rather than a failed start.
  loadConfiguredTls(files, 'RTMPC_GRPC_TLS_CERT_FILE', 'RTMPC_GRPC_TLS_KEY_FILE');
  return { ...listener, tls: { ...files, reloadIntervalMs: c.tlsReloadIntervalMs } };
}

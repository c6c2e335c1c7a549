import * as grpc from '@grpc/grpc-js';
import { nodeFs } from '@rtmp-cluster/core';
import { loadControlProto } from './ControlProto.js';
import type { ClusterControlClient } from './generated/rtmpcluster/control/v1/ClusterControl.js';

export type ControlClient = ClusterControlClient;

export interface ControlClientOptions {
  /** 'host:port' of the control API. */
  address: string;
  /** Bearer token; omitted = calls go out without authorization (only health/reflection will work). */
  token?: string;
  /** Use TLS; caFile verifies the server (default: the system roots). */
  tls?: { caFile?: string };
}

/**
 * A ClusterControl client that adds `authorization: Bearer <token>` to every call. The token is added
 * by an interceptor rather than call credentials because grpc-js refuses call credentials on plaintext
 * channels, and the control API may run without TLS inside a cluster network.
 */
export function createControlClient(options: ControlClientOptions): ControlClient {
  const { grpcObject } = loadControlProto();
  const credentials = options.tls
    ? grpc.credentials.createSsl(options.tls.caFile ? nodeFs.readFileSync(options.tls.caFile) : null)
    : grpc.credentials.createInsecure();
  const token = options.token;
  const interceptors: grpc.Interceptor[] = token
    ? [
        (callOptions, nextCall) =>
          new grpc.InterceptingCall(nextCall(callOptions), {
            start(metadata, listener, next) {
              metadata.set('authorization', `Bearer ${token}`);
              next(metadata, listener);
            },
          }),
      ]
    : [];
  return new grpcObject.rtmpcluster.control.v1.ClusterControl(options.address, credentials, { interceptors });
}

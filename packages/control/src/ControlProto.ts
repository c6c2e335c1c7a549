import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { nodeFs } from '@rtmp-cluster/core';
import type { ProtoGrpcType } from './generated/control.js';

/** Fully-qualified service name, as used by health checking and reflection. */
export const CLUSTER_CONTROL_SERVICE = 'rtmpcluster.control.v1.ClusterControl';

/** Path of control.proto relative to the proto root. */
export const CONTROL_PROTO_FILE = 'rtmpcluster/control/v1/control.proto';

/**
 * The loader options the generated types are made for (scripts/proto-gen.mjs passes the same):
 * camelCase fields, 64-bit integers as JS numbers (all our 64-bit values are counters, times and
 * rates far below 2^53), enums as their names, defaults filled in, oneof discriminator set.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/**
 * The repository's proto/ directory. src/ and dist/ sit at the same depth, so the same relative path
 * works for the TypeScript sources (tests) and the compiled package; RTMPC_PROTO_DIR overrides it for
 * installs that ship proto/ elsewhere.
 */
export function protoRoot(): string {
  const fromEnv = process.env.RTMPC_PROTO_DIR;
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL('../../../proto/', import.meta.url));
}

export interface LoadedControlProto {
  packageDefinition: protoLoader.PackageDefinition;
  grpcObject: ProtoGrpcType;
}

let cached: LoadedControlProto | undefined;

/** Loads control.proto at runtime (once per process). */
export function loadControlProto(): LoadedControlProto {
  if (cached) return cached;
  const root = protoRoot();
  const file = `${root}/${CONTROL_PROTO_FILE}`;
  if (!nodeFs.existsSync(file)) {
    throw new Error(`control.proto not found at ${file} (set RTMPC_PROTO_DIR to the directory holding rtmpcluster/)`);
  }
  const packageDefinition = protoLoader.loadSync(CONTROL_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [root] });
  const grpcObject = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
  cached = { packageDefinition, grpcObject };
  return cached;
}

export {
  startControlServer,
  type ControlServer,
  type ControlServerOptions,
  type ControlServerTls,
} from './ControlServer.js';
export { ClusterControlService, type ClusterControlServiceOptions } from './ClusterControlService.js';
export { NodeLivenessWatcher, type NodeLivenessOptions, type NodeLivenessWatcherOptions } from './NodeLivenessWatcher.js';
export { ControlError, type ControlErrorCode } from './ControlError.js';
export { BearerAuth } from './BearerAuth.js';
export {
  CLUSTER_CONTROL_SERVICE,
  CONTROL_PROTO_FILE,
  PROTO_LOADER_OPTIONS,
  loadControlProto,
  protoRoot,
  type LoadedControlProto,
} from './ControlProto.js';
export * from './NodeCommands.js';
export { createControlClient, type ControlClientOptions, type ControlClient } from './ControlClient.js';
export type { ProtoGrpcType } from './generated/control.js';

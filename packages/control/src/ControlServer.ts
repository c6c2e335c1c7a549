import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { reflectionDefinition } from './ReflectionDescriptors.js';
import type { EventBus, Unsubscribe } from '@rtmp-cluster/events';
import { formatHostPort, loadTlsFiles, type Logger, silentLogger, TlsCertificateReloader } from '@rtmp-cluster/core';
import { ReloadableCertificateProvider } from './ReloadableCertificateProvider.js';
import type { ClusterRegistry } from '@rtmp-cluster/registry';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { BearerAuth } from './BearerAuth.js';
import { clusterEventToProto } from './ClusterEventMapping.js';
import { ClusterControlService } from './ClusterControlService.js';
import { CLUSTER_CONTROL_SERVICE, loadControlProto, PROTO_LOADER_OPTIONS } from './ControlProto.js';
import { ControlError, toControlError, toServiceError } from './ControlError.js';
import type { ClusterControlHandlers } from './generated/rtmpcluster/control/v1/ClusterControl.js';
import type { ClusterEvent } from './generated/rtmpcluster/control/v1/ClusterEvent.js';
import { kindFromProto, roleFromProto } from './ProtoMapping.js';
import { NodeLivenessWatcher, type NodeLivenessOptions } from './NodeLivenessWatcher.js';
import { RegistryHealthMonitor } from './RegistryHealthMonitor.js';

export interface ControlServerTls {
  /** PEM certificate chain file. */
  certFile: string;
  /** PEM private key file. */
  keyFile: string;
  /**
   * How often both files are checked for changes (default 5000 ms). A changed valid pair is used for new
   * connections without restarting the listener; a pair that does not load is logged and the current one stays.
   */
  reloadIntervalMs?: number;
}

export interface ControlServerOptions {
  registry: ClusterRegistry;
  events: EventBus;
  /** Bearer token every ClusterControl call must present. */
  token: string;
  /** Default '0.0.0.0'. */
  host?: string;
  /** 0 = any free port (see the returned port). */
  port: number;
  /** Serve TLS instead of plaintext. */
  tls?: ControlServerTls;
  logger?: Logger;
  /** Per node command. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** How often the registry is pinged for the health status. Default 1000 ms. */
  healthCheckIntervalMs?: number;
  /** WatchEvents streams are ended when this many events wait for a slow client. Default 1000. */
  maxWatchBacklog?: number;
  /**
   * Announces node.down (reportedBy = events.nodeId) for nodes whose registry record expired without a
   * node.down, and node.up for nodes registered without one. On by default; false turns it off.
   */
  nodeLiveness?: NodeLivenessOptions | false;
}

export interface ControlServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Ends watch streams, stops accepting, waits up to graceMs (default 2000) for calls, then cuts the rest. */
  stop(graceMs?: number): Promise<void>;
}

/** The gRPC control plane: ClusterControl (token required), grpc.health.v1.Health and reflection. */
/**
 * grpc-js writes its own errors to stderr as plain text ("E No address added ..."); they go to the server's
 * structured log instead, so a failed bind is reported once, by the caller, in its own words.
 */
function routeGrpcLogs(logger: Logger): void {
  const text = (message: unknown, rest: unknown[]): string => [message, ...rest].map(String).join(' ');
  const grpcLog = logger.child({ component: 'grpc' });
  grpc.setLogger({
    error: (message?: unknown, ...rest: unknown[]) => grpcLog.warn({}, text(message, rest)),
    info: (message?: unknown, ...rest: unknown[]) => grpcLog.info({}, text(message, rest)),
    debug: (message?: unknown, ...rest: unknown[]) => grpcLog.debug({}, text(message, rest)),
  });
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const logger = options.logger ?? silentLogger;
  routeGrpcLogs(logger);
  const auth = new BearerAuth(options.token);
  const { packageDefinition, grpcObject } = loadControlProto();
  const service = new ClusterControlService({
    registry: options.registry,
    events: options.events,
    logger,
    ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
  });
  const maxBacklog = options.maxWatchBacklog ?? 1000;

  // Requests are a few fields: refuse anything large before it is buffered.
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 });

  const health = new HealthImplementation({ '': 'NOT_SERVING', [CLUSTER_CONTROL_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  const monitor = new RegistryHealthMonitor({
    registry: options.registry,
    intervalMs: options.healthCheckIntervalMs ?? 1000,
    logger,
    onChange: (serving) => {
      const s = serving ? 'SERVING' : 'NOT_SERVING';
      health.setStatus('', s);
      health.setStatus(CLUSTER_CONTROL_SERVICE, s);
    },
  });

  const liveness = options.nodeLiveness === false
    ? undefined
    : new NodeLivenessWatcher({ registry: options.registry, events: options.events, logger, ...options.nodeLiveness });

  // Reflection describes the control service and the health service, so `grpcurl list`, `describe` and calls work
  // on both (with the map entry names standard tools require).
  const healthDefinition = protoLoader.loadSync(healthProtoPath, PROTO_LOADER_OPTIONS);
  new ReflectionService(reflectionDefinition(packageDefinition, healthDefinition)).addToServer(server);

  const unary = <Req, Res>(name: string, run: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      if (!auth.check(call.metadata)) {
        logger.warn({ method: name, peer: call.getPeer() }, 'control call without a valid token');
        callback(toServiceError(new ControlError('UNAUTHENTICATED', 'missing or invalid bearer token')));
        return;
      }
      run(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => {
          const e = toControlError(err);
          const log = e.code === 'INTERNAL' || e.code === 'NODE_FAILURE' ? logger.error : logger.debug;
          log.call(logger, { method: name, code: e.code, err: e.message }, 'control call failed');
          callback(toServiceError(e));
        },
      );
    };

  const watches = new Set<grpc.ServerWritableStream<unknown, ClusterEvent>>();

  const handlers: ClusterControlHandlers = {
    ListNodes: unary('ListNodes', async (req) => ({ nodes: await service.listNodes(roleFromProto(req.role)) })),
    GetNode: unary('GetNode', (req) => service.getNode(req.id)),
    ListStreams: unary('ListStreams', (req) => service.listStreams(req.app)),
    GetStream: unary('GetStream', (req) => service.getStream(req.key)),
    ListSessions: unary('ListSessions', (req) =>
      service.listSessions({ nodeId: req.nodeId, stream: req.stream, kind: kindFromProto(req.kind) }),
    ),
    KickSession: unary('KickSession', (req) => service.kickSession(req.sessionId, req.nodeId)),
    KickPublisher: unary('KickPublisher', (req) => service.kickPublisher(req.stream)),
    DrainNode: unary('DrainNode', (req) => service.drainNode(req.nodeId, req.deadlineMs, req.stay)),
    UndrainNode: unary('UndrainNode', (req) => service.undrainNode(req.nodeId)),
    WatchEvents: (call) => {
      if (!auth.check(call.metadata)) {
        logger.warn({ method: 'WatchEvents', peer: call.getPeer() }, 'control call without a valid token');
        call.emit('error', toServiceError(new ControlError('UNAUTHENTICATED', 'missing or invalid bearer token')));
        return;
      }
      watches.add(call);
      let unsubscribe: Unsubscribe | undefined;
      let finished = false;
      const finish = (err?: ControlError): void => {
        if (finished) return;
        finished = true;
        watches.delete(call);
        unsubscribe?.();
        if (err) call.emit('error', toServiceError(err));
        else if (!call.cancelled) call.end();
      };
      call.on('cancelled', () => finish());
      call.on('close', () => finish());
      call.on('error', () => finish());
      try {
        unsubscribe = options.events.subscribe({}, (event) => {
          if (finished) return;
          // A client that stops reading must not make the server buffer without bound.
          if (call.writableLength >= maxBacklog) {
            logger.warn({ peer: call.getPeer(), backlog: call.writableLength }, 'watch client too slow, ending stream');
            finish(new ControlError('UNAVAILABLE', `client fell ${maxBacklog} events behind; watch again`));
            return;
          }
          call.write(clusterEventToProto(event));
        });
      } catch (err) {
        finish(new ControlError('UNAVAILABLE', `event bus unavailable: ${(err as Error).message}`));
        return;
      }
      // Headers go out once the subscription is registered at the server: a client that waits for
      // them knows every later event reaches it.
      options.events.flush().then(
        () => {
          if (!finished) call.sendMetadata(new grpc.Metadata());
        },
        (err: unknown) => finish(new ControlError('UNAVAILABLE', `event bus unavailable: ${(err as Error).message}`)),
      );
    },
  };
  server.addService(grpcObject.rtmpcluster.control.v1.ClusterControl.service, handlers);

  // Throws (naming the file) before anything starts when the pair does not load.
  let reloader: TlsCertificateReloader | undefined;
  let credentials = grpc.ServerCredentials.createInsecure();
  if (options.tls) {
    const provider = new ReloadableCertificateProvider(loadTlsFiles(options.tls));
    credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, null, false);
    reloader = new TlsCertificateReloader({
      certFile: options.tls.certFile,
      keyFile: options.tls.keyFile,
      apply: (secure) => provider.update(secure),
      logger,
      ...(options.tls.reloadIntervalMs !== undefined ? { pollIntervalMs: options.tls.reloadIntervalMs } : {}),
    });
  }

  await monitor.start();
  try {
    await liveness?.start();
  } catch (err) {
    monitor.stop();
    liveness?.stop();
    throw err;
  }
  const host = options.host ?? '0.0.0.0';
  const hostPort = formatHostPort(host, options.port);
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(hostPort, credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
  } catch (err) {
    monitor.stop();
    liveness?.stop();
    server.forceShutdown();
    throw err;
  }
  reloader?.start();
  logger.info({ host, port, tls: Boolean(options.tls) }, 'control API listening');

  let stopped: Promise<void> | undefined;
  return {
    port,
    stop(graceMs = 2000): Promise<void> {
      stopped ??= (async () => {
        reloader?.stop();
        monitor.stop();
        liveness?.stop();
        for (const call of [...watches]) call.emit('error', toServiceError(new ControlError('UNAVAILABLE', 'control server shutting down')));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, graceMs);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        logger.info({ port }, 'control API stopped');
      })();
      return stopped;
    },
  };
}

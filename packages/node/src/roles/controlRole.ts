/**
 * `rtmp-cluster control`: the gRPC ClusterControl service over the cluster's Redis registry and NATS bus,
 * plus the node's HTTP endpoints (/healthz, /readyz: ready while Redis answers and NATS is connected,
 * /metrics). It holds no state: run as many as you like behind one Service.
 */
import type { AddressInfo } from 'node:net';
import { startControlServer, type ControlServer } from '@rtmp-cluster/control';
import type { NatsEventBus } from '@rtmp-cluster/events';
import type { RedisRegistry } from '@rtmp-cluster/registry';
import type { DestinationStream, Logger } from 'pino';
import { Gauge } from '../observability/PromClient.js';
import { connectClusterBackends } from '../ClusterRoleRuntime.js';
import { ConfigError, type NodeConfig } from '../config.js';
import { controlApiListener } from '../ControlApiSettings.js';
import { HealthServer } from '../HealthServer.js';
import { localHost, localUrl } from '../LocalAddress.js';
import { nodeLogger } from '../logger.js';
import { runNodeProcess } from '../NodeProcess.js';
import { NodeLifecycle } from '../NodeLifecycle.js';
import { NodeMetrics } from '../observability/NodeMetrics.js';
import { eventBusDependency, PollingDependency, Readiness } from '../observability/Readiness.js';

export interface ControlNodeOptions {
  logger?: Logger;
  logDestination?: DestinationStream;
}

export interface ControlNodeAddresses {
  grpc: { address: string; port: number };
  http: AddressInfo;
}

export type ControlNodeState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface ControlNodeHandle {
  readonly config: NodeConfig;
  readonly logger: Logger;
  readonly state: ControlNodeState;
  start(): Promise<ControlNodeAddresses>;
  stop(): Promise<void>;
  addresses(): ControlNodeAddresses;
  /** host:port for rtmpctl / grpc clients */
  grpcAddress(): string;
  httpUrl(path?: string): string;
}

export function createControlNode(config: NodeConfig, options: ControlNodeOptions = {}): ControlNodeHandle {
  if (config.role !== 'control') throw new Error(`createControlNode: role is ${config.role}`);
  if (config.controlToken === undefined) throw new ConfigError(['RTMPC_CONTROL_TOKEN: required for the control role']);
  return new ControlNode(config, options);
}

class ControlNode implements ControlNodeHandle {
  readonly logger: Logger;
  private readonly life: NodeLifecycle<ControlNodeState>;
  private registry: RedisRegistry | undefined;
  private bus: NatsEventBus | undefined;
  private control: ControlServer | undefined;
  private readonly metrics = new NodeMetrics();
  private readonly readiness: Readiness;
  private readonly health: HealthServer;
  private redisCheck: PollingDependency | undefined;
  private stopBusCheck: (() => void) | undefined;
  private addrs: ControlNodeAddresses | undefined;

  constructor(
    readonly config: NodeConfig,
    options: ControlNodeOptions,
  ) {
    this.logger = nodeLogger(config, options);
    this.life = new NodeLifecycle('control node', this.logger);
    this.readiness = new Readiness(() => {
      if (this.life.state === 'running') return { ready: true, reason: 'ready' };
      return { ready: false, reason: this.life.state === 'stopping' || this.life.state === 'stopped' ? 'stopping' : 'starting' };
    });
    const self = this;
    new Gauge({
      name: 'rtmpc_up',
      help: 'Node is running (1) or starting/stopping (0).',
      registers: [this.metrics.registry],
      collect() {
        this.set(self.life.state === 'running' ? 1 : 0);
      },
    });
    this.metrics.bindStatus(() => this.readiness.evaluate().ready, () => this.life.state === 'stopping');
    this.health = new HealthServer({
      host: config.httpHost,
      port: config.httpPort,
      ready: () => this.readiness.evaluate(),
      metrics: () => [],
      exposition: () => this.metrics.registry.metrics(),
    });
  }

  get state(): ControlNodeState {
    return this.life.state;
  }

  async start(): Promise<ControlNodeAddresses> {
    this.life.beginStart();
    const c = this.config;
    try {
      const http = await this.health.listen();
      // Same credentials and TLS as the origins and edges.
      ({ registry: this.registry, bus: this.bus } = await connectClusterBackends(c, this.logger));
      const registry = this.registry;
      this.redisCheck = new PollingDependency(() => registry.ping(), { onFailure: () => this.metrics.registryError('ping') });
      await this.redisCheck.start();
      this.readiness.register('redis', this.redisCheck.check);
      const busDep = eventBusDependency(this.bus, this.metrics);
      this.stopBusCheck = busDep.stop;
      this.readiness.register('nats', busDep.check);
      this.control = await startControlServer({
        registry: this.registry,
        events: this.bus,
        ...controlApiListener(c, c.controlToken!),
        logger: this.logger.child({ component: 'control' }),
      });
      this.addrs = { grpc: { address: c.grpcHost, port: this.control.port }, http };
      this.life.state = 'running';
      this.logger.info({ grpc: `${c.grpcHost}:${this.control.port}`, http: `${http.address}:${http.port}` }, 'node started (control)');
      return this.addrs;
    } catch (err) {
      this.life.state = 'stopped';
      await this.release();
      throw err;
    }
  }

  stop(): Promise<void> {
    return this.life.stop(
      () => this.health.close(),
      async () => {
        this.life.state = 'stopping';
        this.logger.info('stopping control server');
        await this.release();
      },
    );
  }

  private async release(): Promise<void> {
    await this.control?.stop().catch((err: unknown) => this.logger.warn({ err }, 'control server stop failed'));
    this.redisCheck?.stop();
    this.stopBusCheck?.();
    await this.bus?.close().catch(() => undefined);
    await this.registry?.close().catch(() => undefined);
    await this.health.close().catch(() => undefined);
  }

  addresses(): ControlNodeAddresses {
    if (!this.addrs) throw new Error('control node not started');
    return this.addrs;
  }

  grpcAddress(): string {
    const a = this.addresses().grpc;
    return `${localHost(a.address)}:${a.port}`;
  }

  httpUrl(path = ''): string {
    return localUrl('http', this.addresses().http, path);
  }
}

/** The executable's control role: start, serve until SIGTERM/SIGINT, stop. Returns the exit code. */
export function runControlProcess(config: NodeConfig): Promise<number> {
  return runNodeProcess({
    config,
    create: () => createControlNode(config),
    startFailureMessage: 'control node failed to start',
    shutdown: (node) => node.stop(),
    shutdownDeadlineMs: 10_000,
  });
}

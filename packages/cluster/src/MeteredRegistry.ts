/**
 * A ClusterRegistry that counts failed calls by operation (registry errors on /metrics) and otherwise passes
 * everything through unchanged: results, errors (rethrown as they are, so isRegistryUnavailable still works),
 * timing. The roles wrap their registry in it so the lease, the heartbeat and the stream locator are counted
 * without knowing about metrics.
 */
import {
  RegistryError,
  type ClaimRequest,
  type ClaimResult,
  type ClusterRegistry,
  type NodeInfo,
  type NodeRecord,
  type PublishInfoPatch,
  type ReleaseResult,
  type RenewResult,
  type StreamLocation,
  type UpdateInfoResult,
} from '@rtmp-cluster/registry';

export interface RegistryErrorCounter {
  registryError(operation: string): void;
}

/** operation labels, one per registry call */
export type RegistryOperation =
  | 'heartbeat'
  | 'remove-node'
  | 'get-node'
  | 'list-nodes'
  | 'claim'
  | 'renew'
  | 'release'
  | 'update'
  | 'lookup'
  | 'list-streams'
  | 'ping';

export class MeteredRegistry implements ClusterRegistry {
  constructor(
    readonly inner: ClusterRegistry,
    private readonly metrics: RegistryErrorCounter,
  ) {}

  heartbeat(info: NodeInfo, ttlMs?: number): Promise<NodeRecord> {
    return this.count('heartbeat', this.inner.heartbeat(info, ttlMs));
  }
  removeNode(id: string): Promise<void> {
    return this.count('remove-node', this.inner.removeNode(id));
  }
  getNode(id: string): Promise<NodeRecord | null> {
    return this.count('get-node', this.inner.getNode(id));
  }
  listNodes(): Promise<NodeRecord[]> {
    return this.count('list-nodes', this.inner.listNodes());
  }
  claimStream(req: ClaimRequest): Promise<ClaimResult> {
    return this.count('claim', this.inner.claimStream(req));
  }
  renewStream(key: string, epoch: number, leaseMs?: number): Promise<RenewResult> {
    return this.count('renew', this.inner.renewStream(key, epoch, leaseMs));
  }
  releaseStream(key: string, epoch: number): Promise<ReleaseResult> {
    return this.count('release', this.inner.releaseStream(key, epoch));
  }
  updateStreamInfo(key: string, epoch: number, patch: PublishInfoPatch): Promise<UpdateInfoResult> {
    return this.count('update', this.inner.updateStreamInfo(key, epoch, patch));
  }
  lookup(key: string): Promise<StreamLocation | null> {
    return this.count('lookup', this.inner.lookup(key));
  }
  listStreams(): Promise<StreamLocation[]> {
    return this.count('list-streams', this.inner.listStreams());
  }
  ping(): Promise<void> {
    return this.count('ping', this.inner.ping());
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private count<T>(operation: RegistryOperation, call: Promise<T>): Promise<T> {
    return call.catch((err: unknown) => {
      // A call racing the shutdown's close() is not a registry failure.
      if (!(err instanceof RegistryError && err.code === 'REGISTRY_CLOSED')) this.metrics.registryError(operation);
      throw err;
    });
  }
}

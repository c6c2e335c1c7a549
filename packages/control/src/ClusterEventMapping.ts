import type { ClusterEvent as BusEvent } from '@rtmp-cluster/events';
import type { NodeRole } from '@rtmp-cluster/registry';
import type { ClusterEvent } from './generated/rtmpcluster/control/v1/ClusterEvent.js';
import { kindToProto, roleToProto } from './ProtoMapping.js';

/** Translates an event bus event into the WatchEvents message. */
export function clusterEventToProto(e: BusEvent): ClusterEvent {
  const base = { timeMs: e.ts, nodeId: e.nodeId };
  switch (e.type) {
    case 'stream.published':
      return {
        ...base,
        published: {
          key: e.key,
          originNodeId: e.originId,
          originAddress: e.originAddress,
          epoch: e.epoch,
          videoCodec: e.codecs?.video ?? '',
          audioCodec: e.codecs?.audio ?? '',
          reason: '',
        },
      };
    case 'stream.unpublished':
      return {
        ...base,
        unpublished: { key: e.key, originNodeId: e.originId, originAddress: '', epoch: e.epoch, reason: e.reason },
      };
    case 'node.up':
      return { ...base, nodeUp: { role: roleToProto(e.role as NodeRole), address: e.address, reportedBy: e.reportedBy ?? '' } };
    case 'node.draining':
      return { ...base, nodeDraining: { role: roleToProto(e.role as NodeRole), address: e.address, reportedBy: e.reportedBy ?? '' } };
    case 'node.down':
      return { ...base, nodeDown: { role: roleToProto(e.role as NodeRole), address: e.address, reportedBy: e.reportedBy ?? '' } };
    case 'session.kicked':
      return {
        ...base,
        sessionKicked: { sessionId: e.sessionId, kind: kindToProto(e.kind), stream: e.key ?? '', reason: e.reason },
      };
  }
}

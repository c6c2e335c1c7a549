import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AudioInfo as _rtmpcluster_control_v1_AudioInfo, AudioInfo__Output as _rtmpcluster_control_v1_AudioInfo__Output } from './rtmpcluster/control/v1/AudioInfo.js';
import type { ClusterControlClient as _rtmpcluster_control_v1_ClusterControlClient, ClusterControlDefinition as _rtmpcluster_control_v1_ClusterControlDefinition } from './rtmpcluster/control/v1/ClusterControl.js';
import type { ClusterEvent as _rtmpcluster_control_v1_ClusterEvent, ClusterEvent__Output as _rtmpcluster_control_v1_ClusterEvent__Output } from './rtmpcluster/control/v1/ClusterEvent.js';
import type { DrainNodeRequest as _rtmpcluster_control_v1_DrainNodeRequest, DrainNodeRequest__Output as _rtmpcluster_control_v1_DrainNodeRequest__Output } from './rtmpcluster/control/v1/DrainNodeRequest.js';
import type { DrainNodeResponse as _rtmpcluster_control_v1_DrainNodeResponse, DrainNodeResponse__Output as _rtmpcluster_control_v1_DrainNodeResponse__Output } from './rtmpcluster/control/v1/DrainNodeResponse.js';
import type { EdgeViewers as _rtmpcluster_control_v1_EdgeViewers, EdgeViewers__Output as _rtmpcluster_control_v1_EdgeViewers__Output } from './rtmpcluster/control/v1/EdgeViewers.js';
import type { GetNodeRequest as _rtmpcluster_control_v1_GetNodeRequest, GetNodeRequest__Output as _rtmpcluster_control_v1_GetNodeRequest__Output } from './rtmpcluster/control/v1/GetNodeRequest.js';
import type { GetStreamRequest as _rtmpcluster_control_v1_GetStreamRequest, GetStreamRequest__Output as _rtmpcluster_control_v1_GetStreamRequest__Output } from './rtmpcluster/control/v1/GetStreamRequest.js';
import type { KickEvent as _rtmpcluster_control_v1_KickEvent, KickEvent__Output as _rtmpcluster_control_v1_KickEvent__Output } from './rtmpcluster/control/v1/KickEvent.js';
import type { KickPublisherRequest as _rtmpcluster_control_v1_KickPublisherRequest, KickPublisherRequest__Output as _rtmpcluster_control_v1_KickPublisherRequest__Output } from './rtmpcluster/control/v1/KickPublisherRequest.js';
import type { KickPublisherResponse as _rtmpcluster_control_v1_KickPublisherResponse, KickPublisherResponse__Output as _rtmpcluster_control_v1_KickPublisherResponse__Output } from './rtmpcluster/control/v1/KickPublisherResponse.js';
import type { KickSessionRequest as _rtmpcluster_control_v1_KickSessionRequest, KickSessionRequest__Output as _rtmpcluster_control_v1_KickSessionRequest__Output } from './rtmpcluster/control/v1/KickSessionRequest.js';
import type { KickSessionResponse as _rtmpcluster_control_v1_KickSessionResponse, KickSessionResponse__Output as _rtmpcluster_control_v1_KickSessionResponse__Output } from './rtmpcluster/control/v1/KickSessionResponse.js';
import type { ListNodesRequest as _rtmpcluster_control_v1_ListNodesRequest, ListNodesRequest__Output as _rtmpcluster_control_v1_ListNodesRequest__Output } from './rtmpcluster/control/v1/ListNodesRequest.js';
import type { ListNodesResponse as _rtmpcluster_control_v1_ListNodesResponse, ListNodesResponse__Output as _rtmpcluster_control_v1_ListNodesResponse__Output } from './rtmpcluster/control/v1/ListNodesResponse.js';
import type { ListSessionsRequest as _rtmpcluster_control_v1_ListSessionsRequest, ListSessionsRequest__Output as _rtmpcluster_control_v1_ListSessionsRequest__Output } from './rtmpcluster/control/v1/ListSessionsRequest.js';
import type { ListSessionsResponse as _rtmpcluster_control_v1_ListSessionsResponse, ListSessionsResponse__Output as _rtmpcluster_control_v1_ListSessionsResponse__Output } from './rtmpcluster/control/v1/ListSessionsResponse.js';
import type { ListStreamsRequest as _rtmpcluster_control_v1_ListStreamsRequest, ListStreamsRequest__Output as _rtmpcluster_control_v1_ListStreamsRequest__Output } from './rtmpcluster/control/v1/ListStreamsRequest.js';
import type { ListStreamsResponse as _rtmpcluster_control_v1_ListStreamsResponse, ListStreamsResponse__Output as _rtmpcluster_control_v1_ListStreamsResponse__Output } from './rtmpcluster/control/v1/ListStreamsResponse.js';
import type { Node as _rtmpcluster_control_v1_Node, Node__Output as _rtmpcluster_control_v1_Node__Output } from './rtmpcluster/control/v1/Node.js';
import type { NodeEvent as _rtmpcluster_control_v1_NodeEvent, NodeEvent__Output as _rtmpcluster_control_v1_NodeEvent__Output } from './rtmpcluster/control/v1/NodeEvent.js';
import type { Publisher as _rtmpcluster_control_v1_Publisher, Publisher__Output as _rtmpcluster_control_v1_Publisher__Output } from './rtmpcluster/control/v1/Publisher.js';
import type { Session as _rtmpcluster_control_v1_Session, Session__Output as _rtmpcluster_control_v1_Session__Output } from './rtmpcluster/control/v1/Session.js';
import type { Stream as _rtmpcluster_control_v1_Stream, Stream__Output as _rtmpcluster_control_v1_Stream__Output } from './rtmpcluster/control/v1/Stream.js';
import type { StreamEvent as _rtmpcluster_control_v1_StreamEvent, StreamEvent__Output as _rtmpcluster_control_v1_StreamEvent__Output } from './rtmpcluster/control/v1/StreamEvent.js';
import type { UndrainNodeRequest as _rtmpcluster_control_v1_UndrainNodeRequest, UndrainNodeRequest__Output as _rtmpcluster_control_v1_UndrainNodeRequest__Output } from './rtmpcluster/control/v1/UndrainNodeRequest.js';
import type { UndrainNodeResponse as _rtmpcluster_control_v1_UndrainNodeResponse, UndrainNodeResponse__Output as _rtmpcluster_control_v1_UndrainNodeResponse__Output } from './rtmpcluster/control/v1/UndrainNodeResponse.js';
import type { VideoInfo as _rtmpcluster_control_v1_VideoInfo, VideoInfo__Output as _rtmpcluster_control_v1_VideoInfo__Output } from './rtmpcluster/control/v1/VideoInfo.js';
import type { WatchEventsRequest as _rtmpcluster_control_v1_WatchEventsRequest, WatchEventsRequest__Output as _rtmpcluster_control_v1_WatchEventsRequest__Output } from './rtmpcluster/control/v1/WatchEventsRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  rtmpcluster: {
    control: {
      v1: {
        AudioInfo: MessageTypeDefinition<_rtmpcluster_control_v1_AudioInfo, _rtmpcluster_control_v1_AudioInfo__Output>
        ClusterControl: SubtypeConstructor<typeof grpc.Client, _rtmpcluster_control_v1_ClusterControlClient> & { service: _rtmpcluster_control_v1_ClusterControlDefinition }
        ClusterEvent: MessageTypeDefinition<_rtmpcluster_control_v1_ClusterEvent, _rtmpcluster_control_v1_ClusterEvent__Output>
        DrainNodeRequest: MessageTypeDefinition<_rtmpcluster_control_v1_DrainNodeRequest, _rtmpcluster_control_v1_DrainNodeRequest__Output>
        DrainNodeResponse: MessageTypeDefinition<_rtmpcluster_control_v1_DrainNodeResponse, _rtmpcluster_control_v1_DrainNodeResponse__Output>
        EdgeViewers: MessageTypeDefinition<_rtmpcluster_control_v1_EdgeViewers, _rtmpcluster_control_v1_EdgeViewers__Output>
        GetNodeRequest: MessageTypeDefinition<_rtmpcluster_control_v1_GetNodeRequest, _rtmpcluster_control_v1_GetNodeRequest__Output>
        GetStreamRequest: MessageTypeDefinition<_rtmpcluster_control_v1_GetStreamRequest, _rtmpcluster_control_v1_GetStreamRequest__Output>
        KickEvent: MessageTypeDefinition<_rtmpcluster_control_v1_KickEvent, _rtmpcluster_control_v1_KickEvent__Output>
        KickPublisherRequest: MessageTypeDefinition<_rtmpcluster_control_v1_KickPublisherRequest, _rtmpcluster_control_v1_KickPublisherRequest__Output>
        KickPublisherResponse: MessageTypeDefinition<_rtmpcluster_control_v1_KickPublisherResponse, _rtmpcluster_control_v1_KickPublisherResponse__Output>
        KickSessionRequest: MessageTypeDefinition<_rtmpcluster_control_v1_KickSessionRequest, _rtmpcluster_control_v1_KickSessionRequest__Output>
        KickSessionResponse: MessageTypeDefinition<_rtmpcluster_control_v1_KickSessionResponse, _rtmpcluster_control_v1_KickSessionResponse__Output>
        ListNodesRequest: MessageTypeDefinition<_rtmpcluster_control_v1_ListNodesRequest, _rtmpcluster_control_v1_ListNodesRequest__Output>
        ListNodesResponse: MessageTypeDefinition<_rtmpcluster_control_v1_ListNodesResponse, _rtmpcluster_control_v1_ListNodesResponse__Output>
        ListSessionsRequest: MessageTypeDefinition<_rtmpcluster_control_v1_ListSessionsRequest, _rtmpcluster_control_v1_ListSessionsRequest__Output>
        ListSessionsResponse: MessageTypeDefinition<_rtmpcluster_control_v1_ListSessionsResponse, _rtmpcluster_control_v1_ListSessionsResponse__Output>
        ListStreamsRequest: MessageTypeDefinition<_rtmpcluster_control_v1_ListStreamsRequest, _rtmpcluster_control_v1_ListStreamsRequest__Output>
        ListStreamsResponse: MessageTypeDefinition<_rtmpcluster_control_v1_ListStreamsResponse, _rtmpcluster_control_v1_ListStreamsResponse__Output>
        Node: MessageTypeDefinition<_rtmpcluster_control_v1_Node, _rtmpcluster_control_v1_Node__Output>
        NodeEvent: MessageTypeDefinition<_rtmpcluster_control_v1_NodeEvent, _rtmpcluster_control_v1_NodeEvent__Output>
        NodeRole: EnumTypeDefinition
        NodeState: EnumTypeDefinition
        Publisher: MessageTypeDefinition<_rtmpcluster_control_v1_Publisher, _rtmpcluster_control_v1_Publisher__Output>
        Session: MessageTypeDefinition<_rtmpcluster_control_v1_Session, _rtmpcluster_control_v1_Session__Output>
        SessionKind: EnumTypeDefinition
        Stream: MessageTypeDefinition<_rtmpcluster_control_v1_Stream, _rtmpcluster_control_v1_Stream__Output>
        StreamEvent: MessageTypeDefinition<_rtmpcluster_control_v1_StreamEvent, _rtmpcluster_control_v1_StreamEvent__Output>
        UndrainNodeRequest: MessageTypeDefinition<_rtmpcluster_control_v1_UndrainNodeRequest, _rtmpcluster_control_v1_UndrainNodeRequest__Output>
        UndrainNodeResponse: MessageTypeDefinition<_rtmpcluster_control_v1_UndrainNodeResponse, _rtmpcluster_control_v1_UndrainNodeResponse__Output>
        VideoInfo: MessageTypeDefinition<_rtmpcluster_control_v1_VideoInfo, _rtmpcluster_control_v1_VideoInfo__Output>
        WatchEventsRequest: MessageTypeDefinition<_rtmpcluster_control_v1_WatchEventsRequest, _rtmpcluster_control_v1_WatchEventsRequest__Output>
      }
    }
  }
}


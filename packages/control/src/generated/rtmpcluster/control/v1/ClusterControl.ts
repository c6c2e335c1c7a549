// Original file: proto/rtmpcluster/control/v1/control.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClusterEvent as _rtmpcluster_control_v1_ClusterEvent, ClusterEvent__Output as _rtmpcluster_control_v1_ClusterEvent__Output } from '../../../rtmpcluster/control/v1/ClusterEvent.js';
import type { DrainNodeRequest as _rtmpcluster_control_v1_DrainNodeRequest, DrainNodeRequest__Output as _rtmpcluster_control_v1_DrainNodeRequest__Output } from '../../../rtmpcluster/control/v1/DrainNodeRequest.js';
import type { DrainNodeResponse as _rtmpcluster_control_v1_DrainNodeResponse, DrainNodeResponse__Output as _rtmpcluster_control_v1_DrainNodeResponse__Output } from '../../../rtmpcluster/control/v1/DrainNodeResponse.js';
import type { GetNodeRequest as _rtmpcluster_control_v1_GetNodeRequest, GetNodeRequest__Output as _rtmpcluster_control_v1_GetNodeRequest__Output } from '../../../rtmpcluster/control/v1/GetNodeRequest.js';
import type { GetStreamRequest as _rtmpcluster_control_v1_GetStreamRequest, GetStreamRequest__Output as _rtmpcluster_control_v1_GetStreamRequest__Output } from '../../../rtmpcluster/control/v1/GetStreamRequest.js';
import type { KickPublisherRequest as _rtmpcluster_control_v1_KickPublisherRequest, KickPublisherRequest__Output as _rtmpcluster_control_v1_KickPublisherRequest__Output } from '../../../rtmpcluster/control/v1/KickPublisherRequest.js';
import type { KickPublisherResponse as _rtmpcluster_control_v1_KickPublisherResponse, KickPublisherResponse__Output as _rtmpcluster_control_v1_KickPublisherResponse__Output } from '../../../rtmpcluster/control/v1/KickPublisherResponse.js';
import type { KickSessionRequest as _rtmpcluster_control_v1_KickSessionRequest, KickSessionRequest__Output as _rtmpcluster_control_v1_KickSessionRequest__Output } from '../../../rtmpcluster/control/v1/KickSessionRequest.js';
import type { KickSessionResponse as _rtmpcluster_control_v1_KickSessionResponse, KickSessionResponse__Output as _rtmpcluster_control_v1_KickSessionResponse__Output } from '../../../rtmpcluster/control/v1/KickSessionResponse.js';
import type { ListNodesRequest as _rtmpcluster_control_v1_ListNodesRequest, ListNodesRequest__Output as _rtmpcluster_control_v1_ListNodesRequest__Output } from '../../../rtmpcluster/control/v1/ListNodesRequest.js';
import type { ListNodesResponse as _rtmpcluster_control_v1_ListNodesResponse, ListNodesResponse__Output as _rtmpcluster_control_v1_ListNodesResponse__Output } from '../../../rtmpcluster/control/v1/ListNodesResponse.js';
import type { ListSessionsRequest as _rtmpcluster_control_v1_ListSessionsRequest, ListSessionsRequest__Output as _rtmpcluster_control_v1_ListSessionsRequest__Output } from '../../../rtmpcluster/control/v1/ListSessionsRequest.js';
import type { ListSessionsResponse as _rtmpcluster_control_v1_ListSessionsResponse, ListSessionsResponse__Output as _rtmpcluster_control_v1_ListSessionsResponse__Output } from '../../../rtmpcluster/control/v1/ListSessionsResponse.js';
import type { ListStreamsRequest as _rtmpcluster_control_v1_ListStreamsRequest, ListStreamsRequest__Output as _rtmpcluster_control_v1_ListStreamsRequest__Output } from '../../../rtmpcluster/control/v1/ListStreamsRequest.js';
import type { ListStreamsResponse as _rtmpcluster_control_v1_ListStreamsResponse, ListStreamsResponse__Output as _rtmpcluster_control_v1_ListStreamsResponse__Output } from '../../../rtmpcluster/control/v1/ListStreamsResponse.js';
import type { Node as _rtmpcluster_control_v1_Node, Node__Output as _rtmpcluster_control_v1_Node__Output } from '../../../rtmpcluster/control/v1/Node.js';
import type { Stream as _rtmpcluster_control_v1_Stream, Stream__Output as _rtmpcluster_control_v1_Stream__Output } from '../../../rtmpcluster/control/v1/Stream.js';
import type { UndrainNodeRequest as _rtmpcluster_control_v1_UndrainNodeRequest, UndrainNodeRequest__Output as _rtmpcluster_control_v1_UndrainNodeRequest__Output } from '../../../rtmpcluster/control/v1/UndrainNodeRequest.js';
import type { UndrainNodeResponse as _rtmpcluster_control_v1_UndrainNodeResponse, UndrainNodeResponse__Output as _rtmpcluster_control_v1_UndrainNodeResponse__Output } from '../../../rtmpcluster/control/v1/UndrainNodeResponse.js';
import type { WatchEventsRequest as _rtmpcluster_control_v1_WatchEventsRequest, WatchEventsRequest__Output as _rtmpcluster_control_v1_WatchEventsRequest__Output } from '../../../rtmpcluster/control/v1/WatchEventsRequest.js';

export interface ClusterControlClient extends grpc.Client {
  /**
   * Put a node into draining: it stops accepting, asks capable clients to reconnect elsewhere
   * (Enhanced RTMP ReconnectRequest) and closes the rest once the deadline passes. Then the node leaves the
   * cluster and its process exits 0 (its supervisor starts a fresh one), unless stay is set: a staying node
   * remains registered as draining, idle and not ready, until UndrainNode.
   */
  DrainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Put a node into draining: it stops accepting, asks capable clients to reconnect elsewhere
   * (Enhanced RTMP ReconnectRequest) and closes the rest once the deadline passes. Then the node leaves the
   * cluster and its process exits 0 (its supervisor starts a fresh one), unless stay is set: a staying node
   * remains registered as draining, idle and not ready, until UndrainNode.
   */
  drainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _rtmpcluster_control_v1_DrainNodeRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * One node; NOT_FOUND if it has no live registration.
   */
  GetNode(argument: _rtmpcluster_control_v1_GetNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  GetNode(argument: _rtmpcluster_control_v1_GetNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  GetNode(argument: _rtmpcluster_control_v1_GetNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  GetNode(argument: _rtmpcluster_control_v1_GetNodeRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  /**
   * One node; NOT_FOUND if it has no live registration.
   */
  getNode(argument: _rtmpcluster_control_v1_GetNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _rtmpcluster_control_v1_GetNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _rtmpcluster_control_v1_GetNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  getNode(argument: _rtmpcluster_control_v1_GetNodeRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_Node__Output>): grpc.ClientUnaryCall;
  
  /**
   * One stream by key "app/name"; NOT_FOUND if nobody publishes it.
   */
  GetStream(argument: _rtmpcluster_control_v1_GetStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  GetStream(argument: _rtmpcluster_control_v1_GetStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  GetStream(argument: _rtmpcluster_control_v1_GetStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  GetStream(argument: _rtmpcluster_control_v1_GetStreamRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  /**
   * One stream by key "app/name"; NOT_FOUND if nobody publishes it.
   */
  getStream(argument: _rtmpcluster_control_v1_GetStreamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  getStream(argument: _rtmpcluster_control_v1_GetStreamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  getStream(argument: _rtmpcluster_control_v1_GetStreamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  getStream(argument: _rtmpcluster_control_v1_GetStreamRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_Stream__Output>): grpc.ClientUnaryCall;
  
  /**
   * Close the publisher of a stream, wherever it is: the origin that owns the claim closes it.
   */
  KickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  KickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  KickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  KickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Close the publisher of a stream, wherever it is: the origin that owns the claim closes it.
   */
  kickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  kickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  kickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  kickPublisher(argument: _rtmpcluster_control_v1_KickPublisherRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickPublisherResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Close one session; NOT_FOUND if no node knows the id.
   */
  KickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  KickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  KickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  KickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Close one session; NOT_FOUND if no node knows the id.
   */
  kickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  kickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  kickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  kickSession(argument: _rtmpcluster_control_v1_KickSessionRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_KickSessionResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Nodes registered in the cluster registry (live leases only).
   */
  ListNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Nodes registered in the cluster registry (live leases only).
   */
  listNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _rtmpcluster_control_v1_ListNodesRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * RTMP sessions (publishers, players, relay pulls) asked from the nodes, optionally filtered.
   */
  ListSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  ListSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  ListSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  ListSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * RTMP sessions (publishers, players, relay pulls) asked from the nodes, optionally filtered.
   */
  listSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  listSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  listSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  listSessions(argument: _rtmpcluster_control_v1_ListSessionsRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams currently claimed by an origin, with live details asked from the nodes.
   */
  ListStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  ListStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  ListStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  ListStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Streams currently claimed by an origin, with live details asked from the nodes.
   */
  listStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  listStreams(argument: _rtmpcluster_control_v1_ListStreamsRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_ListStreamsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Return a node drained with stay back to service (accepting, ready, registered as up).
   * FAILED_PRECONDITION when the node is not draining with stay.
   */
  UndrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  UndrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  UndrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  UndrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Return a node drained with stay back to service (accepting, ready, registered as up).
   * FAILED_PRECONDITION when the node is not draining with stay.
   */
  undrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  undrainNode(argument: _rtmpcluster_control_v1_UndrainNodeRequest, callback: grpc.requestCallback<_rtmpcluster_control_v1_UndrainNodeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Cluster events in the order they were observed, until the client cancels.
   */
  WatchEvents(argument: _rtmpcluster_control_v1_WatchEventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtmpcluster_control_v1_ClusterEvent__Output>;
  WatchEvents(argument: _rtmpcluster_control_v1_WatchEventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtmpcluster_control_v1_ClusterEvent__Output>;
  /**
   * Cluster events in the order they were observed, until the client cancels.
   */
  watchEvents(argument: _rtmpcluster_control_v1_WatchEventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtmpcluster_control_v1_ClusterEvent__Output>;
  watchEvents(argument: _rtmpcluster_control_v1_WatchEventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtmpcluster_control_v1_ClusterEvent__Output>;
  
}

export interface ClusterControlHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Put a node into draining: it stops accepting, asks capable clients to reconnect elsewhere
   * (Enhanced RTMP ReconnectRequest) and closes the rest once the deadline passes. Then the node leaves the
   * cluster and its process exits 0 (its supervisor starts a fresh one), unless stay is set: a staying node
   * remains registered as draining, idle and not ready, until UndrainNode.
   */
  DrainNode: grpc.handleUnaryCall<_rtmpcluster_control_v1_DrainNodeRequest__Output, _rtmpcluster_control_v1_DrainNodeResponse>;
  
  /**
   * One node; NOT_FOUND if it has no live registration.
   */
  GetNode: grpc.handleUnaryCall<_rtmpcluster_control_v1_GetNodeRequest__Output, _rtmpcluster_control_v1_Node>;
  
  /**
   * One stream by key "app/name"; NOT_FOUND if nobody publishes it.
   */
  GetStream: grpc.handleUnaryCall<_rtmpcluster_control_v1_GetStreamRequest__Output, _rtmpcluster_control_v1_Stream>;
  
  /**
   * Close the publisher of a stream, wherever it is: the origin that owns the claim closes it.
   */
  KickPublisher: grpc.handleUnaryCall<_rtmpcluster_control_v1_KickPublisherRequest__Output, _rtmpcluster_control_v1_KickPublisherResponse>;
  
  /**
   * Close one session; NOT_FOUND if no node knows the id.
   */
  KickSession: grpc.handleUnaryCall<_rtmpcluster_control_v1_KickSessionRequest__Output, _rtmpcluster_control_v1_KickSessionResponse>;
  
  /**
   * Nodes registered in the cluster registry (live leases only).
   */
  ListNodes: grpc.handleUnaryCall<_rtmpcluster_control_v1_ListNodesRequest__Output, _rtmpcluster_control_v1_ListNodesResponse>;
  
  /**
   * RTMP sessions (publishers, players, relay pulls) asked from the nodes, optionally filtered.
   */
  ListSessions: grpc.handleUnaryCall<_rtmpcluster_control_v1_ListSessionsRequest__Output, _rtmpcluster_control_v1_ListSessionsResponse>;
  
  /**
   * Streams currently claimed by an origin, with live details asked from the nodes.
   */
  ListStreams: grpc.handleUnaryCall<_rtmpcluster_control_v1_ListStreamsRequest__Output, _rtmpcluster_control_v1_ListStreamsResponse>;
  
  /**
   * Return a node drained with stay back to service (accepting, ready, registered as up).
   * FAILED_PRECONDITION when the node is not draining with stay.
   */
  UndrainNode: grpc.handleUnaryCall<_rtmpcluster_control_v1_UndrainNodeRequest__Output, _rtmpcluster_control_v1_UndrainNodeResponse>;
  
  /**
   * Cluster events in the order they were observed, until the client cancels.
   */
  WatchEvents: grpc.handleServerStreamingCall<_rtmpcluster_control_v1_WatchEventsRequest__Output, _rtmpcluster_control_v1_ClusterEvent>;
  
}

export interface ClusterControlDefinition extends grpc.ServiceDefinition {
  DrainNode: MethodDefinition<_rtmpcluster_control_v1_DrainNodeRequest, _rtmpcluster_control_v1_DrainNodeResponse, _rtmpcluster_control_v1_DrainNodeRequest__Output, _rtmpcluster_control_v1_DrainNodeResponse__Output>
  GetNode: MethodDefinition<_rtmpcluster_control_v1_GetNodeRequest, _rtmpcluster_control_v1_Node, _rtmpcluster_control_v1_GetNodeRequest__Output, _rtmpcluster_control_v1_Node__Output>
  GetStream: MethodDefinition<_rtmpcluster_control_v1_GetStreamRequest, _rtmpcluster_control_v1_Stream, _rtmpcluster_control_v1_GetStreamRequest__Output, _rtmpcluster_control_v1_Stream__Output>
  KickPublisher: MethodDefinition<_rtmpcluster_control_v1_KickPublisherRequest, _rtmpcluster_control_v1_KickPublisherResponse, _rtmpcluster_control_v1_KickPublisherRequest__Output, _rtmpcluster_control_v1_KickPublisherResponse__Output>
  KickSession: MethodDefinition<_rtmpcluster_control_v1_KickSessionRequest, _rtmpcluster_control_v1_KickSessionResponse, _rtmpcluster_control_v1_KickSessionRequest__Output, _rtmpcluster_control_v1_KickSessionResponse__Output>
  ListNodes: MethodDefinition<_rtmpcluster_control_v1_ListNodesRequest, _rtmpcluster_control_v1_ListNodesResponse, _rtmpcluster_control_v1_ListNodesRequest__Output, _rtmpcluster_control_v1_ListNodesResponse__Output>
  ListSessions: MethodDefinition<_rtmpcluster_control_v1_ListSessionsRequest, _rtmpcluster_control_v1_ListSessionsResponse, _rtmpcluster_control_v1_ListSessionsRequest__Output, _rtmpcluster_control_v1_ListSessionsResponse__Output>
  ListStreams: MethodDefinition<_rtmpcluster_control_v1_ListStreamsRequest, _rtmpcluster_control_v1_ListStreamsResponse, _rtmpcluster_control_v1_ListStreamsRequest__Output, _rtmpcluster_control_v1_ListStreamsResponse__Output>
  UndrainNode: MethodDefinition<_rtmpcluster_control_v1_UndrainNodeRequest, _rtmpcluster_control_v1_UndrainNodeResponse, _rtmpcluster_control_v1_UndrainNodeRequest__Output, _rtmpcluster_control_v1_UndrainNodeResponse__Output>
  WatchEvents: MethodDefinition<_rtmpcluster_control_v1_WatchEventsRequest, _rtmpcluster_control_v1_ClusterEvent, _rtmpcluster_control_v1_WatchEventsRequest__Output, _rtmpcluster_control_v1_ClusterEvent__Output>
}

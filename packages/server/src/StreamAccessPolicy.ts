/**
 * The hook the cluster layer plugs into the server: authorization and routing of publish and play requests.
 * An origin claims the stream in the registry in onPublishRequest (the publish is accepted only after the
 * promise resolves, so an encoder never sees Publish.Start for a stream it does not own); an edge starts or
 * joins its relay pull in onPlayRequest. The ended callbacks let the policy release what it acquired.
 */

/** The stream a client asked for, split by the core StreamKey rule (app = first path segment of app/name). */
export interface StreamRequest {
  connId: string;
  remoteAddress: string;
  /** the stream's app: the first segment of the path (connect app 'premium/a' + name 'b' gives 'premium') */
  app: string;
  /** the rest of the path, without its query (may contain '/': 'a/b') */
  name: string;
  /** 'app/name': the hub's stream key */
  key: string;
  /** query parameters of the publish/play name merged over those of the connect app/tcUrl */
  query: Record<string, string>;
  /** query parameters of the publish/play name alone (`cam1?token=...`); optional for hand-built requests */
  nameQuery?: Record<string, string>;
  /** query parameters of the connect app, else of the tcUrl (`rtmp://host/live?token=...`) */
  appQuery?: Record<string, string>;
  /** the peer's IP address without the port (remoteAddress is 'ip:port') */
  clientIp?: string;
  /** the connection came in over TLS (RTMPS) */
  secure?: boolean;
  tcUrl: string | undefined;
  /**
   * The connect command object as the client sent it (AMF object read as a record), e.g. the relay
   * credential an edge presents to an origin. Optional so that hand-built requests (tests) may omit it.
   */
  connectObject?: Readonly<Record<string, unknown>>;
}

export interface PublishRequest extends StreamRequest {
  /** 'live', 'record' or 'append' as the client sent it */
  publishType: string;
}

export interface PlayRequest extends StreamRequest {
  /** the play command's start argument (-2, -1, -1000, -2000, 0 all mean live here) */
  start: number;
}

export type AccessDecision =
  | { allow: true }
  | {
      allow: false;
      /** onStatus code to send; default NetStream.Publish.BadName / NetStream.Play.Failed */
      statusCode?: string;
      /** readable: ffmpeg prints it as "Server error: <description>" */
      description: string;
      /**
       * close the connection after the status went out (reason ACCESS_DENIED), e.g. a wrong credential:
       * the client gets no second try on the same connection. Default false (the connection stays open).
       */
      closeConnection?: boolean;
    };

export interface StreamAccessPolicy {
  /** May be slow (a registry round trip); may reject (then the publish is refused with its message). */
  onPublishRequest(req: PublishRequest): Promise<AccessDecision>;
  onPlayRequest(req: PlayRequest): Promise<AccessDecision>;
  /** The accepted publish ended (unpublish, disconnect, takeover, shutdown). Must not throw. */
  onPublishEnded?(req: PublishRequest): void;
  /** The accepted play ended. Must not throw. */
  onPlayEnded?(req: PlayRequest): void;
}

/** Single-node default: everybody may publish and play every name; streams are local. */
export class AllowAllAccessPolicy implements StreamAccessPolicy {
  async onPublishRequest(): Promise<AccessDecision> {
    return { allow: true };
  }
  async onPlayRequest(): Promise<AccessDecision> {
    return { allow: true };
  }
}

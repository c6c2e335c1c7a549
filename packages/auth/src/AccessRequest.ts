/** What a client asks for, as the RTMP server parsed it. The auth package never sees sockets. */
export type AccessAction = 'publish' | 'play';

export interface AccessRequest {
  /** the connect command's app, without its query (a trailing `?query` is stripped defensively) */
  app: string;
  /** the publish/play name, without its query (a trailing `?query` is stripped defensively) */
  name: string;
  /** query parameters of the publish/play name (`cam1?token=...`) */
  query: Record<string, string>;
  /** the connect command's tcUrl, as the client sent it (its query is read when appQuery is absent) */
  tcUrl?: string;
  /** query parameters carried by the connect app / tcUrl (`rtmp://host/live?token=...`) */
  appQuery?: Record<string, string>;
  /** the client's address, for logs and the webhook */
  clientIp: string;
  /**
   * The server already verified this connection's relay credential (verifyRelayCredential on the connect
   * command object's RELAY_TOKEN_FIELD). Only the server sets this; it never comes from the client.
   */
  isRelay?: boolean;
  /** a relay credential the server read but did not verify; the policy checks it against config.relayToken */
  relayCredential?: string;
}

/**
 * The auth package's AccessPolicy as the RTMP server's StreamAccessPolicy: the server parses the request,
 * auth decides, this adapter translates both ways. A denial closes the connection after its onStatus
 * (NetStream.Publish.Unauthorized / BadName / NetStream.Play.Unauthorized with the readable description),
 * so a client cannot keep guessing credentials on one connection. After an allowing decision the request
 * goes on to `next` (the cluster roles' policy, or allow-all in all-in-one), whose answer is final.
 */
import { ipOfRemoteAddress } from '@rtmp-cluster/core';
import { readRelayCredential, type AuthDecision, type AccessPolicy, type AccessRequest } from '@rtmp-cluster/auth';
import type { AccessDecision, PlayRequest, PublishRequest, StreamAccessPolicy, StreamRequest } from '@rtmp-cluster/server';
import type { Logger } from '@rtmp-cluster/core';

export interface AuthAccessPolicyOptions {
  /** asked after auth allowed; its decision is final and it receives the ended callbacks. Default allow-all. */
  next?: StreamAccessPolicy;
  logger?: Logger;
  /** close the connection after a denial (default true) */
  closeOnDeny?: boolean;
}

/** Counts of decisions by action, result and reason (allow: via; deny: reasonCode), for /metrics. */
export type AuthDecisionCounts = Record<string, number>;

/**
 * The auth package's view of a server request: the name's own query and the connect app/tcUrl query kept
 * apart (auth lets the name's win), the client IP, and the relay credential from the connect object (or the
 * name query) for the policy to verify against its relayToken. The cluster roles can use this too.
 */
export function toAccessRequest(req: StreamRequest): AccessRequest {
  const nameQuery = req.nameQuery ?? req.query;
  const out: AccessRequest = {
    app: req.app,
    name: req.name,
    query: nameQuery,
    clientIp: req.clientIp ?? ipOfRemoteAddress(req.remoteAddress),
  };
  if (req.tcUrl !== undefined) out.tcUrl = req.tcUrl;
  if (req.appQuery !== undefined) out.appQuery = req.appQuery;
  const relay = readRelayCredential(req.connectObject);
  if (relay !== undefined) out.relayCredential = relay;
  return out;
}

/** The server's decision for an auth denial. */
export function toServerDecision(d: AuthDecision, closeConnection = true): AccessDecision {
  if (d.allowed) return { allow: true };
  return { allow: false, statusCode: d.code, description: d.description, closeConnection };
}

export class AuthAccessPolicy implements StreamAccessPolicy {
  private readonly next: StreamAccessPolicy | undefined;
  private readonly log: Logger | undefined;
  private readonly closeOnDeny: boolean;
  private readonly counts: AuthDecisionCounts = {};

  constructor(
    readonly auth: AccessPolicy,
    options: AuthAccessPolicyOptions = {},
  ) {
    this.next = options.next;
    this.log = options.logger?.child({ component: 'auth' });
    this.closeOnDeny = options.closeOnDeny ?? true;
  }

  /** 'publish allow token', 'play deny expired', ... -> count since start */
  decisionCounts(): AuthDecisionCounts {
    return { ...this.counts };
  }

  async onPublishRequest(req: PublishRequest): Promise<AccessDecision> {
    const d = await this.auth.authorizePublish(toAccessRequest(req));
    this.record(req, d);
    if (!d.allowed) return toServerDecision(d, this.closeOnDeny);
    return this.next ? this.next.onPublishRequest(req) : { allow: true };
  }

  async onPlayRequest(req: PlayRequest): Promise<AccessDecision> {
    const d = await this.auth.authorizePlay(toAccessRequest(req));
    this.record(req, d);
    if (!d.allowed) return toServerDecision(d, this.closeOnDeny);
    return this.next ? this.next.onPlayRequest(req) : { allow: true };
  }

  // The server reports an end only for requests it accepted, i.e. those `next` allowed too.
  onPublishEnded(req: PublishRequest): void {
    this.next?.onPublishEnded?.(req);
  }

  onPlayEnded(req: PlayRequest): void {
    this.next?.onPlayEnded?.(req);
  }

  private record(req: StreamRequest, d: AuthDecision): void {
    const label = d.allowed ? `${d.action} allow ${d.via}` : `${d.action} deny ${d.reasonCode}`;
    this.counts[label] = (this.counts[label] ?? 0) + 1;
    if (!this.log) return;
    const fields = { connId: req.connId, stream: req.key, clientIp: req.clientIp ?? ipOfRemoteAddress(req.remoteAddress), via: d.via };
    if (d.allowed) this.log.info({ ...fields, keyId: d.keyId }, `${d.action} authorized: ${d.reason}`);
    else this.log.warn({ ...fields, reasonCode: d.reasonCode, status: d.code }, `${d.action} denied: ${d.reason}`);
  }
}

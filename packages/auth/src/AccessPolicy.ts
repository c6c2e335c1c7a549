/**
 * Decides publish and play requests from an AccessPolicyConfig. The RTMP server asks (after parsing app,
 * name and queries) and sends the decision's onStatus; this class never touches a socket.
 */
import { isStreamKeyError, redactText, rtmpStreamKey } from '@rtmp-cluster/core';
import { allowDecision, denyDecision, type AuthDecision } from './AuthDecision.js';
import { validateAccessPolicyConfig, type AccessPolicyConfig, type AuthMode } from './AccessPolicyConfig.js';
import type { AccessAction, AccessRequest } from './AccessRequest.js';
import { KeyRing } from './KeyRing.js';
import { RELAY_TOKEN_FIELD, verifyRelayCredential } from './RelayCredential.js';
import { STATIC_KEY_QUERY_PARAMS, StaticKeyTable } from './StaticKeyTable.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, TOKEN_QUERY_PARAM, verifyStreamToken } from './StreamToken.js';
import { WebhookClient } from './WebhookClient.js';

export interface AccessPolicyOptions {
  /** this node's id, sent to the webhook */
  nodeId?: string;
  /** clock in milliseconds since the epoch; default Date.now */
  now?: () => number;
}

export class AccessPolicy {
  // #-private, not just TS-private: these hold secrets and must not show up if a policy object gets logged.
  readonly #config: AccessPolicyConfig;
  readonly #keys: KeyRing;
  readonly #staticKeys: StaticKeyTable;
  readonly #webhook: WebhookClient | undefined;
  readonly #nodeId: string | undefined;
  readonly #now: () => number;

  /** Validates `config` (throws AuthError AUTH_CONFIG_INVALID). */
  constructor(config: AccessPolicyConfig = {}, options: AccessPolicyOptions = {}) {
    this.#config = validateAccessPolicyConfig(config);
    this.#keys = new KeyRing(this.#config.keys ?? []);
    this.#staticKeys = new StaticKeyTable(this.#config.staticKeys ?? {});
    this.#webhook = this.#config.webhook !== undefined ? new WebhookClient(this.#config.webhook) : undefined;
    this.#nodeId = options.nodeId;
    this.#now = options.now ?? Date.now;
  }

  /** The mode that applies to `action` in `app` (per-app override, else the action's default, else 'none'). */
  modeFor(action: AccessAction, app: string): AuthMode {
    const rule = this.#config[action];
    const perApp = rule?.apps !== undefined && Object.hasOwn(rule.apps, app) ? rule.apps[app] : undefined;
    return perApp ?? rule?.mode ?? 'none';
  }

  authorizePublish(req: AccessRequest): Promise<AuthDecision> {
    return this.authorize('publish', req);
  }

  authorizePlay(req: AccessRequest): Promise<AuthDecision> {
    return this.authorize('play', req);
  }

  /** Never rejects: every outcome, including a broken webhook, is a decision. */
  async authorize(action: AccessAction, req: AccessRequest): Promise<AuthDecision> {
    // The core rule, applied here too: whatever split of app and name the caller passed, the per-app rules
    // see the stream's first path segment (connect app 'premium/a' + name 'b' is app 'premium', name 'a/b').
    let app: string;
    let name: string;
    try {
      ({ app, name } = rtmpStreamKey(req.app, req.name));
    } catch (err) {
      if (!isStreamKeyError(err)) throw err;
      return denyDecision(action, 'none', 'invalid_name', err.message);
    }
    if (action === 'play') {
      const relay = this.checkRelay(req);
      if (relay !== undefined) return relay;
    }
    const mode = this.modeFor(action, app);
    switch (mode) {
      case 'none':
        return allowDecision(action, 'none', `no ${action} auth configured for app '${app}'`);
      case 'token':
        return this.checkToken(action, app, name, req);
      case 'static':
        return this.checkStaticKey(action, app, name, req);
      case 'webhook':
        return this.askWebhook(action, app, name, req);
    }
  }

  private checkRelay(req: AccessRequest): AuthDecision | undefined {
    if (req.isRelay === true) return allowDecision('play', 'relay', 'relay connection (credential verified by the server)');
    // Without a configured relay token nobody is a relay; a stray parameter then means nothing.
    if (this.#config.relayToken === undefined) return undefined;
    const presented = req.relayCredential;
    if (presented === undefined) return undefined;
    if (verifyRelayCredential(presented, this.#config.relayToken)) {
      return allowDecision('play', 'relay', 'relay credential valid');
    }
    // Someone claims to be an edge and is not: refuse outright rather than fall through to player auth.
    return denyDecision('play', 'relay', 'bad_relay_credential', 'relay credential presented but it does not match');
  }

  private checkToken(action: AccessAction, app: string, name: string, req: AccessRequest): AuthDecision {
    const token = presentedValue(req, [TOKEN_QUERY_PARAM]);
    if (token === undefined) {
      return denyDecision(action, 'token', 'missing_credential', `no '${TOKEN_QUERY_PARAM}' in the stream name or tcUrl query`);
    }
    const nowMs = this.#now();
    const result = verifyStreamToken(token, {
      action,
      app,
      name,
      keys: this.#keys,
      now: nowMs,
      clockSkewSeconds: this.#config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    });
    if (!result.ok) return denyDecision(action, 'token', result.reasonCode, result.reason);
    const left = Math.floor(result.expiresAt - nowMs / 1000);
    return allowDecision(
      action,
      'token',
      `token valid (key '${result.keyId}', ${left >= 0 ? `expires in ${left} s` : `expired ${-left} s ago, within clock skew`})`,
      { keyId: result.keyId, expiresAt: result.expiresAt },
    );
  }

  private checkStaticKey(action: AccessAction, app: string, name: string, req: AccessRequest): AuthDecision {
    const presented = presentedValue(req, STATIC_KEY_QUERY_PARAMS);
    if (presented === undefined) {
      return denyDecision(action, 'static', 'missing_credential', `no stream key ('key' or 'token' query) for ${app}/${name}`);
    }
    if (this.#staticKeys.keysFor(app, name) === undefined) {
      return denyDecision(action, 'static', 'wrong_key', `no static key configured for ${app}/${name}`);
    }
    if (!this.#staticKeys.matches(app, name, presented)) {
      return denyDecision(action, 'static', 'wrong_key', `stream key for ${app}/${name} does not match`);
    }
    return allowDecision(action, 'static', `static key valid for ${app}/${name}`);
  }

  private async askWebhook(action: AccessAction, app: string, name: string, req: AccessRequest): Promise<AuthDecision> {
    const webhook = this.#webhook;
    if (webhook === undefined) {
      // validateAccessPolicyConfig refuses this; kept so a future config path cannot open the door silently.
      return denyDecision(action, 'webhook', 'webhook_failed', 'webhook mode without webhook config');
    }
    const outcome = await webhook.ask({
      action,
      app,
      name,
      // The webhook decides on the client's query (its token or key included, in these two fields only); the
      // relay credential is never sent, and tcUrl carries no credential values.
      query: withoutRelayCredential(req.query),
      appQuery: withoutRelayCredential(req.appQuery ?? queryOfUrl(req.tcUrl)),
      tcUrl: req.tcUrl !== undefined ? redactText(req.tcUrl) : null,
      clientIp: req.clientIp,
      nodeId: this.#nodeId ?? null,
    });
    if (outcome.kind === 'answered') {
      if (outcome.allow) {
        return allowDecision(action, 'webhook', `webhook allowed (HTTP ${outcome.status})${outcome.reason ? `: ${outcome.reason}` : ''}`);
      }
      const why = outcome.reason ?? `HTTP ${outcome.status}`;
      return denyDecision(
        action,
        'webhook',
        'webhook_denied',
        `webhook denied (HTTP ${outcome.status})${outcome.reason ? `: ${outcome.reason}` : ''}`,
        `${action === 'publish' ? 'Publishing' : 'Playing'} refused: ${why}`,
      );
    }
    if (webhook.failOpen) return allowDecision(action, 'webhook', `${outcome.reason}; allowed because webhook.failOpen`);
    return denyDecision(action, 'webhook', 'webhook_failed', `${outcome.reason}; denied (fail-closed)`);
  }
}

/**
 * The first of `params` found in the name's query, then the app query, then the tcUrl query (used only when
 * the server passed no appQuery). The name's query wins: it is what encoders let users edit per stream.
 */
function presentedValue(req: AccessRequest, params: readonly string[]): string | undefined {
  const sources = [req.query, req.appQuery ?? queryOfUrl(req.tcUrl)];
  for (const source of sources) {
    for (const param of params) {
      if (Object.hasOwn(source, param)) {
        const value = source[param];
        if (typeof value === 'string' && value !== '') return value;
      }
    }
  }
  return undefined;
}

function queryOfUrl(url: string | undefined): Record<string, string> {
  if (url === undefined) return {};
  const q = url.indexOf('?');
  if (q < 0) return {};
  const hash = url.indexOf('#', q);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1, hash < 0 ? undefined : hash))) {
    if (!Object.hasOwn(out, k)) out[k] = v;
  }
  return out;
}

function withoutRelayCredential(query: Record<string, string>): Record<string, string> {
  const out = { ...query };
  delete out[RELAY_TOKEN_FIELD];
  return out;
}

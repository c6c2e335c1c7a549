/**
 * Asks an HTTP service whether a publish/play may proceed, like nginx-rtmp's on_publish: POST a JSON
 * description of the request, 2xx means allow. Uses node:http/https so the package needs no dependencies.
 */
import type * as http from 'node:http';
import { nodeHttp, nodeHttps } from '@rtmp-cluster/core';
import type { AccessAction } from './AccessRequest.js';

export interface WebhookConfig {
  /** http:// or https:// URL to POST to */
  url: string;
  /** deadline for the whole exchange (connect, request, response body); default 2000 */
  timeoutMs?: number;
  /** allow when the webhook cannot answer (timeout, network error, 5xx); default false (fail closed) */
  failOpen?: boolean;
  /** extra request headers, e.g. an Authorization header the webhook expects */
  headers?: Record<string, string>;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 2000;
/** A decision fits in a few bytes; a longer answer is not read and counts as a failed call. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_REASON_LENGTH = 200;

/** The JSON body POSTed to the webhook. */
export interface WebhookRequestBody {
  action: AccessAction;
  app: string;
  name: string;
  query: Record<string, string>;
  appQuery: Record<string, string>;
  tcUrl: string | null;
  clientIp: string;
  nodeId: string | null;
}

/**
 * - answered: the webhook made a decision (2xx -> allow unless the body says {"allow": false}; 4xx and other
 *   non-2xx non-5xx statuses -> deny). `reason` comes from a JSON body's "reason" string, sanitized.
 * - failed: no usable answer (timeout, connection error, 5xx, body over 64 KiB); the policy applies failOpen.
 */
export type WebhookOutcome =
  | { kind: 'answered'; allow: boolean; status: number; reason: string | undefined }
  | { kind: 'failed'; status: number | undefined; reason: string };

export class WebhookClient {
  readonly #url: URL;
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  readonly #headers: Record<string, string>;

  constructor(config: WebhookConfig) {
    this.#url = new URL(config.url);
    this.timeoutMs = config.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.failOpen = config.failOpen ?? false;
    this.#headers = { ...(config.headers ?? {}) };
  }

  /** Never rejects: every failure becomes a 'failed' outcome. */
  ask(body: WebhookRequestBody): Promise<WebhookOutcome> {
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const transport = this.#url.protocol === 'https:' ? nodeHttps() : nodeHttp;
    return new Promise<WebhookOutcome>((resolve) => {
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const finish = (outcome: WebhookOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(outcome);
      };
      let req: http.ClientRequest;
      try {
        req = transport.request(this.#url, {
          method: 'POST',
          headers: {
            ...this.#headers,
            'content-type': 'application/json',
            'content-length': String(payload.length),
            'user-agent': 'rtmp-cluster-auth',
          },
        });
      } catch (err) {
        // e.g. a configured header value Node refuses to send
        finish({ kind: 'failed', status: undefined, reason: `webhook request failed: ${(err as Error).message}` });
        return;
      }
      // One deadline for everything, including a webhook that sends headers and then stalls the body.
      deadline = setTimeout(() => {
        finish({ kind: 'failed', status: undefined, reason: `webhook timed out after ${this.timeoutMs} ms` });
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish({ kind: 'failed', status: undefined, reason: `webhook request failed: ${err.code ?? err.message}` });
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            truncated = true;
            chunks.length = 0;
            res.destroy();
            finish({ kind: 'failed', status, reason: `webhook response body exceeds ${MAX_RESPONSE_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish(interpret(status, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', (err: NodeJS.ErrnoException) => {
          finish({ kind: 'failed', status, reason: `webhook response failed: ${err.code ?? err.message}` });
        });
      });
      req.end(payload);
    });
  }
}

function interpret(status: number, bodyText: string | undefined): WebhookOutcome {
  const body = parseBody(bodyText);
  if (status >= 500 || status < 100) {
    return { kind: 'failed', status, reason: `webhook answered HTTP ${status}${body.reason ? `: ${body.reason}` : ''}` };
  }
  if (status >= 200 && status < 300) {
    return { kind: 'answered', allow: body.allow !== false, status, reason: body.reason };
  }
  return { kind: 'answered', allow: false, status, reason: body.reason };
}

function parseBody(text: string | undefined): { allow: boolean | undefined; reason: string | undefined } {
  if (text === undefined || text.trim() === '') return { allow: undefined, reason: undefined };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return { allow: undefined, reason: undefined };
    const { allow, reason } = parsed as { allow?: unknown; reason?: unknown };
    return {
      allow: typeof allow === 'boolean' ? allow : undefined,
      reason: typeof reason === 'string' ? sanitizeReason(reason) : undefined,
    };
  } catch {
    return { allow: undefined, reason: undefined };
  }
}

/** The reason reaches logs and an onStatus description: one short printable line. */
function sanitizeReason(reason: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const cleaned = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_REASON_LENGTH);
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Which page origins may use the web listener. By default any origin (players are embedded everywhere);
 * RTMPC_WEB_ALLOWED_ORIGINS narrows it to a list. Browsers enforce CORS on fetch/XHR only, not on WebSocket
 * upgrades, so the listener checks the Origin of upgrades itself.
 */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: Set<string>;

  /** [] or ['*'] = any origin */
  constructor(allowed: readonly string[] = []) {
    this.any = allowed.length === 0 || allowed.includes('*');
    this.origins = new Set(allowed.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  }

  /** a request without Origin (curl, ffmpeg, same-origin navigation) is always allowed */
  allows(origin: string | undefined): boolean {
    return origin === undefined || this.any || this.origins.has(origin.toLowerCase());
  }

  /** headers for a response to `origin` (which allows() accepted) */
  responseHeaders(origin: string | undefined): Record<string, string> {
    if (origin === undefined) return {};
    // Echo the origin when narrowed (a list cannot be sent); '*' otherwise, cacheable by any CDN.
    return this.any ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  preflightHeaders(origin: string | undefined, requestedHeaders: string | undefined): Record<string, string> {
    return {
      ...this.responseHeaders(origin),
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      ...(requestedHeaders ? { 'access-control-allow-headers': requestedHeaders.slice(0, 1024) } : {}),
      'access-control-max-age': '600',
    };
  }
}

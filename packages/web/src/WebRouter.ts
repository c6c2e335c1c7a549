import type { RouteMatch, WebRoute } from './WebRoute.js';

/** The route table of the web listener: routes are tried in registration order. */
export class WebRouter {
  private readonly routes: WebRoute[] = [];

  add(route: WebRoute): this {
    if (this.routes.some((r) => r.name === route.name)) throw new Error(`web route '${route.name}' registered twice`);
    this.routes.push(route);
    return this;
  }

  match(path: string): RouteMatch | undefined {
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (m) return { route, params: { ...m.groups } };
    }
    return undefined;
  }

  get names(): string[] {
    return this.routes.map((r) => r.name);
  }
}

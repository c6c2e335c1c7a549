import { afterAll, beforeAll } from 'vitest';

/**
 * A server the enclosing suite (file or describe block) shares: started in beforeAll, stopped in afterAll.
 * Returns a getter, since the server exists only once beforeAll ran.
 */
export function suiteServer<T extends { stop(): Promise<void> }>(start: () => Promise<T>): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the suite server is not started (used outside a test?)');
    return server;
  };
}

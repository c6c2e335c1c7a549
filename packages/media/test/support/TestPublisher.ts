import type { PublisherCloseReason, PublisherSource } from '../../src/index.js';

/** Test double of a publishing connection: records why the hub closed it. */
export class TestPublisher implements PublisherSource {
  readonly closed: PublisherCloseReason[] = [];
  constructor(readonly id: string) {}
  close(reason: PublisherCloseReason): void {
    this.closed.push(reason);
  }
}

export function nextCycle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

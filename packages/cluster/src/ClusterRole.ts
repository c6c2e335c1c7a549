import type { NodePresence } from './NodePresence.js';

/**
 * What the origin and edge roles share: the node record that tells the cluster whether this node takes new
 * work, and the flag their policies read to refuse new publishes (origin) or pulls (edge) while draining.
 */
export abstract class ClusterRole {
  protected stopping = false;
  protected abstract readonly presence: NodePresence;

  /** Before the server drains: new work is refused, the node record says 'draining'. */
  async drain(): Promise<void> {
    this.stopping = true;
    await this.presence.setDraining();
  }

  /** Undoes drain() (a node drained to stay, returned to service): new work is accepted again, record 'up'. */
  async undrain(): Promise<void> {
    this.stopping = false;
    await this.presence.setUp();
  }
}

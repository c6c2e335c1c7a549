import { InMemoryEventBus, InMemoryEventHub } from '@rtmp-cluster/events';
import { describeEventBusContract } from './eventBusContract.js';

describeEventBusContract('InMemoryEventBus', async () => {
  const hub = new InMemoryEventHub();
  const a = new InMemoryEventBus({ nodeId: 'node-a', hub });
  const b = new InMemoryEventBus({ nodeId: 'node-b', hub });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

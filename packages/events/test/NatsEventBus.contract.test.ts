import { afterAll, beforeAll } from 'vitest';
import { NatsEventBus } from '@rtmp-cluster/events';
import { startNats, type NatsServerHandle } from '../../../test/support/nats-server.js';
import { describeEventBusContract } from './eventBusContract.js';

let nats: NatsServerHandle;
let n = 0;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.stop();
});

describeEventBusContract('NatsEventBus (real nats-server)', async () => {
  // A fresh subject prefix per test keeps tests sharing one server apart.
  const subjectPrefix = `t${++n}`;
  const a = await NatsEventBus.connect({ servers: nats.url, nodeId: 'node-a', subjectPrefix });
  const b = await NatsEventBus.connect({ servers: nats.url, nodeId: 'node-b', subjectPrefix });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

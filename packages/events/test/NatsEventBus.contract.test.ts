import { NatsEventBus } from '@rtmp-cluster/events';
import { startNats } from '../../../test/support/nats-server.js';
import { suiteServer } from '../../../test/support/suiteServer.js';
import { describeEventBusContract } from './eventBusContract.js';

const nats = suiteServer(() => startNats());
let n = 0;

describeEventBusContract('NatsEventBus (real nats-server)', async () => {
  // A fresh subject prefix per test keeps tests sharing one server apart.
  const subjectPrefix = `t${++n}`;
  const a = await NatsEventBus.connect({ servers: nats().url, nodeId: 'node-a', subjectPrefix });
  const b = await NatsEventBus.connect({ servers: nats().url, nodeId: 'node-b', subjectPrefix });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
});

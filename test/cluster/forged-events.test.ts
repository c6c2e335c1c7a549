/**
 * Forged NATS traffic (issue 14, item 5a) against real redis-server, nats-server and the shipped origin and
 * edge executables: a stream.published event naming an attacker's address, sent by any NATS client, is not
 * dialed by an edge whose player waits for that stream (the relay credential never reaches the attacker);
 * the edge follows what the registry holds, so the real publish still reaches the player.
 */
import net from 'node:net';
import { NatsEventBus } from '@rtmp-cluster/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRtmpClient } from '../e2e/support/TestRtmpClient.js';
import { ClientProcesses, ffmpegPublish } from '../support/rtmp-clients.js';
import { startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { RELAY_TOKEN } from './support/inProcessNodes.js';
import { startNodeProcess, type NodeProcess } from './support/nodeProcess.js';
import { waitFor } from '../support/waitFor.js';

describe('a forged stream.published event is a hint, not an address to dial', () => {
  const procs = new ClientProcesses();
  let infra: ClusterInfra;
  let origin: NodeProcess;
  let edge: NodeProcess;
  let attacker: net.Server;
  let attackerPort: number;
  const dialed: Buffer[] = [];

  beforeAll(async () => {
    infra = await startClusterInfra();
    [origin, edge] = await Promise.all([
      startNodeProcess(procs, 'origin', 'origin-1', infra.urls),
      startNodeProcess(procs, 'edge', 'edge-1', infra.urls),
    ]);
    // The attacker: records every connection and what was sent on it (an RTMP handshake, then the connect
    // command with the relay credential, if the edge were fooled into completing it).
    attacker = net.createServer((s) => {
      const chunks: Buffer[] = [];
      dialed.push(Buffer.alloc(0));
      const i = dialed.length - 1;
      s.on('data', (d: Buffer) => {
        chunks.push(d);
        dialed[i] = Buffer.concat(chunks);
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
    attackerPort = (attacker.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await procs.stopAll();
    await new Promise<void>((r) => attacker?.close(() => r()));
    await infra?.stop();
  });

  it('the edge ignores the forged address and still plays the real publish', async () => {
    const player = await TestRtmpClient.connect(edge.url('/live'));
    const bus = await NatsEventBus.connect({ servers: [infra.urls.natsUrl], nodeId: 'intruder' });
    try {
      await player.play('forged');
      await edge.waitForLog((l) => l['msg'] === 'relay created' && l['stream'] === 'live/forged', 10_000, 'the relay for the waiting player');
      bus.publish({ type: 'stream.published', key: 'live/forged', app: 'live', name: 'forged', originId: 'evil', originAddress: `127.0.0.1:${attackerPort}`, epoch: 1_000_000 });
      // Either the edge dials the attacker (the bug) or it logs that the registry holds no such claim.
      await waitFor(
        () => dialed.length > 0 || edge.logs().some((l) => String(l['msg']).startsWith('stream.published ignored')),
        10_000,
        'the edge reacting to the forged event',
      );
      expect(dialed).toHaveLength(0);
      // The relay keeps polling the registry meanwhile: a few rounds, none of them towards the attacker.
      await new Promise((r) => setTimeout(r, 1500));
      expect(dialed).toHaveLength(0);

      const pub = ffmpegPublish(procs, infra.flv, origin.url('/live/forged'), { loop: true, timeoutMs: 60_000 });
      try {
        await player.until(() => player.mediaCount.video >= 25, 20_000, 'frames from the real origin through the edge');
      } finally {
        await pub.stop();
      }
      expect(dialed).toHaveLength(0);
      expect(Buffer.concat(dialed).includes(Buffer.from(RELAY_TOKEN))).toBe(false);
    } finally {
      player.close();
      await bus.close();
    }
  });
});

/**
 * Forged node commands (issue 14, item 5b) against real redis-server, nats-server and the shipped origin and
 * control executables: anyone who can publish on NATS can reach a node's command subject, so the node obeys
 * only commands signed with the cluster secret. An unsigned drain, one signed with another secret, a stale
 * one and a replay of a captured genuine drain are refused with a typed error and leave the node ready;
 * `rtmpctl drain` through the control plane still drains it.
 */
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EventBusError, NatsEventBus, signCommand, SubjectScheme } from '@rtmp-cluster/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, executableEnv } from '../support/executable.js';
import { freePort } from '../support/ports.js';
import { ClientProcesses } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';
import { CLUSTER_SECRET, startClusterInfra, type ClusterInfra } from './support/clusterInfra.js';
import { startNodeProcess, type NodeProcess } from './support/nodeProcess.js';

const RTMPCTL = path.resolve(import.meta.dirname, '../../packages/control/bin/rtmpctl.js');
const TOKEN = 'signed-commands-control-token';

describe('node commands are signed end to end', () => {
  const procs = new ClientProcesses();
  let infra: ClusterInfra;
  let origin: NodeProcess;
  let grpcPort: number;
  let tap: NatsConnection;
  const captured: string[] = [];

  beforeAll(async () => {
    infra = await startClusterInfra();
    grpcPort = await freePort();
    [origin] = await Promise.all([
      startNodeProcess(procs, 'origin', 'origin-1', infra.urls),
      startNodeProcess(procs, 'control', 'control-1', infra.urls, { RTMPC_CONTROL_TOKEN: TOKEN, RTMPC_GRPC_HOST: '127.0.0.1', RTMPC_GRPC_PORT: String(grpcPort) }),
    ]);
    // An eavesdropper on the command subject: what it records is what a replay attacker would hold.
    tap = await connect({ servers: infra.urls.natsUrl });
    tap.subscribe(new SubjectScheme().commands('origin-1'), { callback: (_e, m) => void captured.push(m.string()) });
    await tap.flush();
  });

  afterAll(async () => {
    await tap?.close();
    await procs.stopAll();
    await infra?.stop();
  });

  const ready = async (): Promise<number> => (await fetch(`http://127.0.0.1:${origin.httpPort}/readyz`)).status;
  const rtmpctl = (args: string[]) => procs.run('node', [RTMPCTL, '--address', `127.0.0.1:${grpcPort}`, '--token', TOKEN, ...args], { env: executableEnv({}), timeoutMs: 20_000 });
  const refusals = (code: string) => origin.logs().filter((l) => l['msg'] === 'events: node command refused' && l['code'] === code && l['level'] === 40);

  async function remoteCode(p: Promise<unknown>): Promise<string | undefined> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EventBusError);
    return (err as EventBusError).remoteCode;
  }

  it('a node refuses unsigned, wrongly signed and stale drains, answering with the typed code', async () => {
    await waitFor(async () => (await ready()) === 200, 20_000, 'origin ready');
    const intruder = await NatsEventBus.connect({ servers: [infra.urls.natsUrl], nodeId: 'intruder' });
    const wrong = await NatsEventBus.connect({ servers: [infra.urls.natsUrl], nodeId: 'intruder-2', commandSecret: 'not-the-cluster-secret' });
    const skewed = await NatsEventBus.connect({ servers: [infra.urls.natsUrl], nodeId: 'intruder-3', commandSecret: CLUSTER_SECRET, now: () => Date.now() - 120_000 });
    try {
      expect(await remoteCode(intruder.request('origin-1', { cmd: 'drain', timeoutMs: 1000 }))).toBe('COMMAND_UNSIGNED');
      expect(await remoteCode(wrong.request('origin-1', { cmd: 'drain', timeoutMs: 1000 }))).toBe('COMMAND_BAD_SIGNATURE');
      expect(await remoteCode(skewed.request('origin-1', { cmd: 'drain', timeoutMs: 1000 }))).toBe('COMMAND_STALE');
      // Also a kick and a signature lifted onto another command.
      expect(await remoteCode(intruder.request('origin-1', { cmd: 'kick-publisher', key: 'live/x' }))).toBe('COMMAND_UNSIGNED');
      const lifted = signCommand('not-the-cluster-secret', 'origin-1', { cmd: 'stats' }, Date.now());
      const reply = JSON.parse((await tap.request(new SubjectScheme().commands('origin-1'), JSON.stringify({ ...lifted, command: { cmd: 'drain' } }))).string()) as { ok: boolean; error?: { code: string } };
      expect(reply).toMatchObject({ ok: false, error: { code: 'COMMAND_BAD_SIGNATURE' } });
    } finally {
      await Promise.all([intruder.close(), wrong.close(), skewed.close()]);
    }
    await waitFor(() => refusals('COMMAND_STALE').length > 0, 5000, 'the refusals logged');
    expect(refusals('COMMAND_UNSIGNED')).toHaveLength(2);
    expect(refusals('COMMAND_BAD_SIGNATURE')).toHaveLength(2);
    expect(refusals('COMMAND_STALE')).toHaveLength(1);
    // The secret never reaches the logs.
    expect(origin.proc.stdout()).not.toContain(CLUSTER_SECRET);
    expect(await ready()).toBe(200);
    expect(origin.logs().some((l) => String(l['msg']).includes('drain'))).toBe(false);
  });

  it('rtmpctl drain through the control plane works; a replay of that captured drain is refused', async () => {
    captured.length = 0;
    const drain = await rtmpctl(['drain', 'origin-1', '--stay']);
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('node origin-1 draining');
    await waitFor(async () => (await ready()) !== 200, 10_000, 'origin not ready while drained');
    const genuine = captured.find((c) => c.includes('"drain"'));
    expect(genuine, 'the signed drain seen on the wire').toBeDefined();
    expect(JSON.parse(genuine!)).toMatchObject({ command: { cmd: 'drain', stay: true }, auth: { target: 'origin-1' } });

    const undrain = await rtmpctl(['undrain', 'origin-1']);
    expect(undrain.code, undrain.stderr).toBe(0);
    await waitFor(async () => (await ready()) === 200, 10_000, 'origin ready again');

    const replay = JSON.parse((await tap.request(new SubjectScheme().commands('origin-1'), genuine!)).string()) as { ok: boolean; error?: { code: string } };
    expect(replay).toMatchObject({ ok: false, error: { code: 'COMMAND_REPLAYED' } });
    await origin.waitForLog((l) => l['msg'] === 'events: node command refused' && l['code'] === 'COMMAND_REPLAYED', 5000, 'the replay logged');
    expect(refusals('COMMAND_REPLAYED')).toHaveLength(1);
    expect(await ready()).toBe(200);
    const nodes = await rtmpctl(['nodes']);
    expect(nodes.stdout).toMatch(/^origin-1\s+origin\s+ready\s/m);
  });

  it('origin, edge and control refuse to start without RTMPC_CLUSTER_SECRET (exit 2, naming it)', async () => {
    for (const role of ['origin', 'edge', 'control']) {
      const r = await procs.run('node', [CLI, role], {
        env: executableEnv({ RTMPC_REDIS_URL: infra.urls.redisUrl, RTMPC_NATS_SERVERS: infra.urls.natsUrl, RTMPC_CONTROL_TOKEN: TOKEN }),
        timeoutMs: 30_000,
      });
      expect(r.code, `${role}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`RTMPC_CLUSTER_SECRET: required for the ${role} role`);
    }
  });
});

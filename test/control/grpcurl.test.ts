/**
 * Standard gRPC tools against the shipped executable: grpcurl (a client nobody here wrote, which validates every
 * descriptor reflection hands out) lists and describes every service, calls grpc.health.v1.Health/Check and a
 * ClusterControl method with the bearer token, and is refused without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAllInOne, type ExecutableNode } from '../support/executable.js';
import { ClientProcesses } from '../support/rtmp-clients.js';
import { waitFor } from '../support/waitFor.js';

const TOKEN = 'grpcurl-control-token-0123456789';

/** grpcurl from PATH, else where `go install` puts it (.ci/run installs it there). */
function grpcurlBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v grpcurl'], { encoding: 'utf8' }).trim();
  } catch {
    const installed = join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'grpcurl');
    if (!existsSync(installed)) throw new Error('grpcurl not found: go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4 (.ci/run does)');
    return installed;
  }
}

describe('grpcurl against the control API of the rtmp-cluster executable', () => {
  const procs = new ClientProcesses();
  let node: ExecutableNode;
  let address: string;
  const grpcurl = grpcurlBinary();
  /** grpcurl -plaintext [flags] ADDRESS [verb...] */
  const run = (verb: string[], flags: string[] = []) => procs.run(grpcurl, ['-plaintext', ...flags, address, ...verb], { timeoutMs: 20_000 });

  beforeAll(async () => {
    node = await spawnAllInOne(procs, { RTMPC_CONTROL_TOKEN: TOKEN });
    address = `127.0.0.1:${node.grpc}`;
    let last = '';
    try {
      await waitFor(async () => {
        const r = await run(['list']);
        last = r.stderr;
        return r.code === 0;
      }, 20_000, 'the control API answering grpcurl list', 200);
    } catch (err) {
      throw new Error(`${(err as Error).message}\ngrpcurl: ${last}\nnode: ${node.proc.stderr().slice(-2000)}`);
    }
  }, 60_000);

  afterAll(() => procs.stopAll());

  it('lists and describes every service, and the health message with a map field', async () => {
    const list = await run(['list']);
    const services = list.stdout.trim().split('\n').sort();
    expect(services).toContain('grpc.health.v1.Health');
    expect(services).toContain('rtmpcluster.control.v1.ClusterControl');
    for (const service of services) {
      const described = await run(['describe', service]);
      expect(described.code, `${service}: ${described.stderr}`).toBe(0);
      expect(described.stdout).toContain(`${service} is a service`);
    }
    // The message with a map field that proto-loader's descriptors used to break.
    const map = await run(['describe', 'grpc.health.v1.HealthListResponse']);
    expect(map.stderr).toBe('');
    expect(map.stdout).toContain('map<string, .grpc.health.v1.HealthCheckResponse> statuses = 1;');
  });

  it('calls grpc.health.v1.Health/Check', async () => {
    const overall = await run(['grpc.health.v1.Health/Check']);
    expect(overall.code, overall.stderr).toBe(0);
    expect(JSON.parse(overall.stdout)).toEqual({ status: 'SERVING' });
    const control = await run(['grpc.health.v1.Health/Check'], ['-d', '{"service":"rtmpcluster.control.v1.ClusterControl"}']);
    expect(JSON.parse(control.stdout)).toEqual({ status: 'SERVING' });
  });

  it('calls ClusterControl/ListNodes with the bearer token and is refused without it', async () => {
    const nodes = await run(['rtmpcluster.control.v1.ClusterControl/ListNodes'], ['-H', `authorization: Bearer ${TOKEN}`]);
    expect(nodes.code, nodes.stderr).toBe(0);
    const reply = JSON.parse(nodes.stdout) as { nodes: Array<{ role: string; state: string }> };
    expect(reply.nodes).toHaveLength(1);
    expect(reply.nodes[0]).toMatchObject({ role: 'NODE_ROLE_ALL_IN_ONE', state: 'NODE_STATE_READY' });
    const refused = await run(['rtmpcluster.control.v1.ClusterControl/ListNodes']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Unauthenticated');
    expect(node.proc.running()).toBe(true);
  });
});

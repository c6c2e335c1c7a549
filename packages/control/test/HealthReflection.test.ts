import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CLUSTER_CONTROL_SERVICE, createControlClient, startControlServer } from '@rtmp-cluster/control';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlCluster, failureCode, TOKEN, unary, waitFor } from './support/controlCluster.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

const HealthClient = grpc.makeClientConstructor(healthService, 'grpc.health.v1.Health');

function healthCheck(address: string, service: string, credentials = grpc.credentials.createInsecure()): Promise<string> {
  const client = new HealthClient(address, credentials) as Any;
  return new Promise<string>((resolve, reject) => {
    client.check({ service }, (err: grpc.ServiceError | null, res: Any) => {
      client.close();
      if (err) reject(err);
      else resolve(res.status);
    });
  });
}

/** A reflection request over grpc.reflection.v1.ServerReflection, as grpcurl would send it. */
function reflect(address: string, request: object): Promise<Any> {
  const main = createRequire(import.meta.url).resolve('@grpc/reflection');
  const protoFile = join(dirname(main), '../proto/grpc/reflection/v1/reflection.proto');
  const def = protoLoader.loadSync(protoFile, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as Any;
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (res: Any) => {
      resolve(res);
      call.end();
    });
    call.on('error', (err: Error) => reject(err));
    call.on('end', () => client.close());
    call.write({ host: '', ...request });
  });
}

describe('health checking and reflection', () => {
  let cluster: ControlCluster;

  beforeAll(async () => {
    cluster = await ControlCluster.start({ healthCheckIntervalMs: 150 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('reflection lists the control and health services without a token', async () => {
    const res = await reflect(cluster.address, { list_services: '' });
    const names = res.list_services_response.service.map((s: Any) => s.name);
    expect(names).toContain(CLUSTER_CONTROL_SERVICE);
    expect(names).toContain('grpc.health.v1.Health');
  });

  it('reflection returns the file descriptor of the control service', async () => {
    const res = await reflect(cluster.address, { file_containing_symbol: CLUSTER_CONTROL_SERVICE });
    const files: Buffer[] = res.file_descriptor_response.file_descriptor_proto;
    expect(files.length).toBeGreaterThan(0);
    const text = Buffer.concat(files).toString('latin1');
    expect(text).toContain('rtmpcluster.control.v1');
    for (const method of ['ListNodes', 'GetStream', 'KickPublisher', 'DrainNode', 'WatchEvents']) expect(text).toContain(method);

    const unknown = await reflect(cluster.address, { file_containing_symbol: 'no.such.Service' });
    expect(unknown.error_response.error_code).toBe(grpc.status.NOT_FOUND);
  });

  it('health is SERVING for the server and the control service, without a token', async () => {
    expect(await healthCheck(cluster.address, '')).toBe('SERVING');
    expect(await healthCheck(cluster.address, CLUSTER_CONTROL_SERVICE)).toBe('SERVING');
    const unknown = await failureCode(healthCheck(cluster.address, 'no.such.Service'));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });

  // Last in this file: it kills redis.
  it('health turns NOT_SERVING when redis dies, and calls fail UNAVAILABLE', async () => {
    await cluster.redis.kill();
    await waitFor('NOT_SERVING', async () => ((await healthCheck(cluster.address, '')) === 'NOT_SERVING' ? true : undefined));
    expect(await healthCheck(cluster.address, CLUSTER_CONTROL_SERVICE)).toBe('NOT_SERVING');
    const err = await failureCode(unary(cluster.client(), 'ListNodes', {}));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.details).toContain('registry unavailable');

    await cluster.redis.restart();
    await waitFor('SERVING again', async () => ((await healthCheck(cluster.address, '')) === 'SERVING' ? true : undefined), 10_000);
    const ok: Any = await unary(cluster.client(), 'ListNodes', {});
    expect(ok.nodes).toEqual([]);
  });
});

describe('TLS', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'control-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API, health and auth over TLS with the configured certificate', async () => {
    const cluster = await ControlCluster.start();
    const server = await startControlServer({
      registry: cluster.registry,
      events: cluster.bus,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    });
    try {
      await cluster.addNode('origin-tls', 'origin');
      const address = `127.0.0.1:${server.port}`;
      const client = createControlClient({ address, token: TOKEN, tls: { caFile: join(dir, 'cert.pem') } });
      const res: Any = await unary(client, 'ListNodes', {});
      expect(res.nodes.map((n: Any) => n.id)).toEqual(['origin-tls']);
      const anon = createControlClient({ address, tls: { caFile: join(dir, 'cert.pem') } });
      expect((await failureCode(unary(anon, 'ListNodes', {}))).code).toBe(grpc.status.UNAUTHENTICATED);
      // A plaintext client cannot talk to the TLS port.
      const plain = createControlClient({ address, token: TOKEN });
      expect((await failureCode(unary(plain, 'ListNodes', {}))).code).toBe(grpc.status.UNAVAILABLE);
      const caCreds = grpc.credentials.createSsl(execFileSync('cat', [join(dir, 'cert.pem')]));
      expect(await healthCheck(address, '', caCreds)).toBe('SERVING');
      for (const c of [client, anon, plain]) c.close();
    } finally {
      await server.stop(200);
      await cluster.stop();
    }
  });
});

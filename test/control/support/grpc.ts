/** Small helpers to call the ClusterControl API from tests (unary calls, watch streams, status codes). */
import * as grpc from '@grpc/grpc-js';
import { createControlClient, type ControlClient } from '@rtmp-cluster/control';

export function controlClient(address: string, token?: string): ControlClient {
  return createControlClient({ address, ...(token !== undefined ? { token } : {}) });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Any = any;

export function unary<Res = Any>(client: ControlClient, method: string, request: object = {}): Promise<Res> {
  const c = client as unknown as Record<string, (req: object, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void>;
  return new Promise((resolve, reject) => {
    c[method]!.call(client, request, (err, res) => (err ? reject(err) : resolve(res as Res)));
  });
}

export async function grpcFailure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('call succeeded, expected a failure');
}

/** A WatchEvents stream whose events are collected; resolves once the server sent the response headers. */
export async function watch(client: ControlClient): Promise<{ events: Any[]; cancel(): void; until(pred: (events: Any[]) => boolean, timeoutMs: number, what: string): Promise<void> }> {
  const call = (client as Any).WatchEvents({});
  const events: Any[] = [];
  call.on('data', (e: Any) => events.push(e));
  call.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    call.once('metadata', () => resolve());
    call.once('error', reject);
  });
  return {
    events,
    cancel: () => call.cancel(),
    async until(pred, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`watch: ${what} not seen in ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.event, e.nodeId]))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

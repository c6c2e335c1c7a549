/**
 * Node's built-in modules whose loading costs an idle node memory, taken through process.getBuiltinModule.
 *
 * - node:http: an ES `import` of a built-in module reads every export to build its namespace, and node:http's
 *   WebSocket, CloseEvent and MessageEvent exports are getters that load Node's bundled fetch and WebSocket
 *   client: about 14 MB of RSS in a node that never uses them (the idle all-in-one was 60 MB with them, 46 MB
 *   for node:http alone against 43 MB for a bare process). process.getBuiltinModule hands over the module
 *   object without reading them.
 * - node:fs: its `promises` export is a getter too, and node:fs/promises brings node:readline with it: 1 MB of
 *   the idle node's RSS (3 MB in a bare process) for an API the node does not use.
 * - node:tls and node:https: about 3 MB of RSS once loaded (OpenSSL's TLS state and Node's TLS JavaScript), for
 *   RTMPS, a TLS Redis or an https webhook that most nodes never configure. Loaded on first use.
 */
import type * as Fs from 'node:fs';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';

export const nodeHttp: typeof Http = process.getBuiltinModule('node:http');

export const nodeFs: typeof Fs = process.getBuiltinModule('node:fs');

/** node:tls, loaded on the first call. */
export function nodeTls(): typeof Tls {
  return process.getBuiltinModule('node:tls');
}

/** node:https, loaded on the first call. */
export function nodeHttps(): typeof Https {
  return process.getBuiltinModule('node:https');
}

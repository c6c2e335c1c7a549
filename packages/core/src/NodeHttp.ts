/**
 * node:http for the project's servers and clients. An ES `import` of a built-in module reads every export to
 * build its namespace, and node:http's WebSocket, CloseEvent and MessageEvent exports are getters that load
 * Node's bundled fetch and WebSocket client: about 14 MB of RSS in a node that never uses them (the idle
 * all-in-one was 60 MB with them, 46 MB for node:http alone against 43 MB for a bare process).
 * process.getBuiltinModule hands over the module object without reading them.
 */
import type * as Http from 'node:http';

export const nodeHttp: typeof Http = process.getBuiltinModule('node:http');

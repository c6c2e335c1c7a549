/**
 * The prom-client classes the node uses, loaded one by one. prom-client's index also loads its default
 * process metrics, which pull in the OpenTelemetry API for exemplars, its Pushgateway (http, https, zlib) and
 * its cluster aggregator: about 12 MB of an idle node's RSS for metrics this project does not expose.
 * The types are prom-client's own; a prom-client release that moves these files fails the node's tests.
 */
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const require = createRequire(import.meta.url);

export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export type Registry = Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
export type Histogram<T extends string = string> = Prom.Histogram<T>;

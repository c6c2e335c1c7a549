/**
 * The executable's exit codes, for operators and supervisors (a crash loop on 3 is a port conflict, not a
 * bug). --help and the README list them from here.
 */
export const EXIT_CODES = [
  { code: 0, name: 'ok', doc: 'stopped cleanly (SIGTERM drains first), or --help' },
  { code: 1, name: 'failure', doc: 'failed while running, or at start for a reason not listed below' },
  { code: 2, name: 'config', doc: 'invalid configuration: a bad or unknown setting or argument, an unreadable config, certificate or key file' },
  { code: 3, name: 'listen', doc: 'a listener could not be opened: port in use, address not available, permission denied' },
  { code: 4, name: 'backend', doc: 'Redis or NATS unreachable (or refusing the credentials) at start' },
] as const;

export type ExitCodeName = (typeof EXIT_CODES)[number]['name'];

export function exitCode(name: ExitCodeName): number {
  return EXIT_CODES.find((e) => e.name === name)!.code;
}

import { isHostPort } from '@rtmp-cluster/core';
/**
 * The kinds of value a setting holds. Each kind parses what an operator gives (an environment string, or a
 * JSON value from the config file) strictly, and says in words what it expects: that phrase is the error
 * message ("expected an integer 1-65535"), the --help text and the README table, so all three agree.
 */

export type ParseResult<T> =
  | { ok: true; value: T }
  /** `problems` replaces "expected ..., got ..." (used where the value must not be echoed, or is a list) */
  | { ok: false; problems?: string[] };

export interface SettingType<T> {
  /** what a valid value looks like, as a phrase: "an integer 1-65535", "one of reject, takeover" */
  readonly expected: string;
  parse(raw: unknown): ParseResult<T>;
  /** the value as an operator would write it in the environment (docs, defaults) */
  format(value: T): string;
  /** the value names a file the node reads: checked to be readable at load time */
  readonly isFile?: boolean;
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const invalid: ParseResult<never> = { ok: false };

/** Env values are strings, file values may be numbers: both are accepted, strictly (no "12abc", no 1.5). */
export function integer(min: number, max: number, note?: string): SettingType<number> {
  return {
    expected: `an integer ${min}-${max}${note !== undefined ? ` (${note})` : ''}`,
    parse(raw) {
      const n = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
      return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? ok(n) : invalid;
    },
    format: String,
  };
}

export const port = (): SettingType<number> => integer(1, 65535);

export function oneOf<const V extends string>(values: readonly V[]): SettingType<V> {
  return {
    expected: `one of ${values.join(', ')}`,
    parse: (raw) => (typeof raw === 'string' && (values as readonly string[]).includes(raw.trim()) ? ok(raw.trim() as V) : invalid),
    format: String,
  };
}

export const boolean = (): SettingType<boolean> => ({
  expected: 'true or false',
  parse(raw) {
    if (typeof raw === 'boolean') return ok(raw);
    if (typeof raw === 'string' && /^(true|false|1|0)$/i.test(raw.trim())) return ok(/^(true|1)$/i.test(raw.trim()));
    return invalid;
  },
  format: String,
});

/** A non-empty string (trimmed); `expected` names what it is ("a host name or IP address"). */
export function text(expected = 'a non-empty string'): SettingType<string> {
  return {
    expected,
    parse: (raw) => (typeof raw === 'string' && raw.trim().length > 0 ? ok(raw.trim()) : invalid),
    format: String,
  };
}

/** A credential a guess must not find: at least `min` characters (surrounding blanks are not counted). */
export function secretText(min: number): SettingType<string> {
  return {
    expected: `a string of at least ${min} characters`,
    parse: (raw) => (typeof raw === 'string' && raw.trim().length >= min ? ok(raw.trim()) : invalid),
    format: String,
  };
}

/** A path the node reads at start; that it is readable is checked with the other settings (constraints.ts). */
export const filePath = (what: string): SettingType<string> => ({ ...text(`a path to ${what}`), isFile: true });

export const hostPort = (): SettingType<string> => ({
  expected: 'host:port',
  // The rule the registry checks node addresses with (names, IPv4, [IPv6]; port 1-65535).
  parse: (raw) => (typeof raw === 'string' && isHostPort(raw) ? ok(raw) : invalid),
  format: String,
});

function hasScheme(s: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(s).protocol);
  } catch {
    return false;
  }
}

export function url(schemes: readonly string[], expected: string): SettingType<string> {
  return {
    expected,
    parse: (raw) => (typeof raw === 'string' && hasScheme(raw, schemes) ? ok(raw) : invalid),
    format: String,
  };
}

/** `a, b,c` (environment or file) or `["a", "b"]` (file), trimmed, empty items dropped; undefined when neither. */
function commaItems(raw: unknown): string[] | undefined {
  const items = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) return undefined;
  return items.map((i: string) => i.trim()).filter((i) => i.length > 0);
}

/** Comma-separated in the environment, a JSON array (or the same string) in the file; at least one. */
export function urlList(schemes: readonly string[], expected: string): SettingType<string[]> {
  return {
    expected,
    parse(raw) {
      const items = commaItems(raw);
      if (items === undefined || items.length === 0) return invalid;
      return items.every((u) => hasScheme(u, schemes)) ? ok(items) : invalid;
    },
    format: (list) => list.join(','),
  };
}

/**
 * `A<sep>B` entries separated by commas, each side non-empty (`live/cam1=key1,live/*=key2`). Entries hold secrets,
 * so a bad one is reported by its position, never its text.
 */
export function pairList(separator: string, entryShape: string): SettingType<Array<[string, string]>> {
  return {
    expected: `comma-separated ${entryShape} entries`,
    parse(raw) {
      if (typeof raw !== 'string') return invalid;
      const pairs: Array<[string, string]> = [];
      const problems: string[] = [];
      raw.split(',').forEach((entry, i) => {
        const item = entry.trim();
        const at = item.indexOf(separator);
        if (at <= 0 || at === item.length - 1) problems.push(`entry ${i + 1} must be ${entryShape}`);
        else pairs.push([item.slice(0, at), item.slice(at + 1)]);
      });
      return problems.length > 0 ? { ok: false, problems } : ok(pairs);
    },
    format: (pairs) => pairs.map(([a, b]) => `${a}${separator}${b}`).join(','),
  };
}

/** Comma-separated in the environment, a JSON array (or the same string) in the file; may be empty. */
export function list(item: RegExp, expected: string): SettingType<string[]> {
  return {
    expected,
    parse(raw) {
      const items = commaItems(raw);
      return items !== undefined && items.every((i) => item.test(i)) ? ok(items) : invalid;
    },
    format: (items) => items.join(','),
  };
}

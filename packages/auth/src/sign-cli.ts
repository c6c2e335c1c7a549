/**
 * `sign`: mints a stream token (or a full signed URL) from the command line. A pure function so that both
 * `rtmp-cluster sign` and `rtmpctl sign` call it and print what it returns; the secret is read from an
 * environment variable named by --secret-env so it never appears in the process list or shell history.
 */
import type { AccessAction } from './AccessRequest.js';
import { isAuthError } from './AuthError.js';
import { parseSigningKeyList } from './KeyRing.js';
import { buildSignedUrl } from './SignedUrl.js';
import { signStreamToken, type SignStreamTokenOptions } from './StreamToken.js';

export interface SignCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SignCommandOptions {
  /** clock in milliseconds since the epoch (for --ttl); default Date.now */
  now?: () => number;
}

/** 0: printed; 1: signing failed; 2: usage error (bad or missing option, missing secret). */
export const SIGN_USAGE = `usage: sign --action publish|play --app APP --name NAME
            (--key-id KID --secret-env ENV_VAR | --keys-env ENV_VAR [--key-id KID])
            [--ttl SECONDS | --expires-at UNIX_SECONDS|ISO-8601] [--url rtmp://host[:port]]

Prints a stream token <kid>.<exp>.<signature>, or with --url the full URL rtmp://host/APP/NAME?token=...
The signing secret is read from the environment variable named by --secret-env, or picked by --key-id (default:
the first key) from a key list KID:SECRET,KID2:SECRET2 in the variable named by --keys-env (RTMPC_AUTH_KEYS inside
a node's container). Default --ttl is 3600.
`;

const VALUE_OPTIONS = new Set(['--action', '--app', '--name', '--key-id', '--secret-env', '--keys-env', '--ttl', '--expires-at', '--url']);
const DEFAULT_TTL_SECONDS = 3600;

export function runSignCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  options: SignCommandOptions = {},
): SignCommandResult {
  const args = argv[0] === 'sign' ? argv.slice(1) : argv;
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') return { exitCode: 0, stdout: SIGN_USAGE, stderr: '' };
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_OPTIONS.has(flag)) return usageError(`unknown argument '${arg}'`);
    let value: string | undefined;
    if (flag !== arg) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '') return usageError(`${flag} needs a value`);
    if (values.has(flag)) return usageError(`${flag} given twice`);
    values.set(flag, value);
  }

  const action = values.get('--action');
  if (action === undefined) return usageError('missing --action (publish or play)');
  if (action !== 'publish' && action !== 'play') return usageError(`--action must be publish or play, not '${action}'`);
  for (const required of ['--app', '--name']) {
    if (!values.has(required)) return usageError(`missing ${required}`);
  }
  const key = signingKey(values, env);
  if (typeof key === 'string') return usageError(key);
  const { id: keyId, secret } = key;
  if (values.has('--ttl') && values.has('--expires-at')) return usageError('give --ttl or --expires-at, not both');

  const signOptions: SignStreamTokenOptions = {
    action: action as AccessAction,
    app: values.get('--app') as string,
    name: values.get('--name') as string,
    keyId,
    secret,
    now: (options.now ?? Date.now)(),
  };
  const expiresAt = values.get('--expires-at');
  if (expiresAt !== undefined) {
    const parsed = parseExpiresAt(expiresAt);
    if (parsed === undefined) return usageError(`--expires-at must be unix seconds or an ISO-8601 date, not '${expiresAt}'`);
    signOptions.expiresAt = parsed;
  } else {
    const ttlText = values.get('--ttl');
    const ttl = ttlText === undefined ? DEFAULT_TTL_SECONDS : Number(ttlText);
    if (!Number.isInteger(ttl) || ttl <= 0) return usageError(`--ttl must be a positive whole number of seconds, not '${ttlText}'`);
    signOptions.ttlSeconds = ttl;
  }

  try {
    const url = values.get('--url');
    const out = url === undefined ? signStreamToken(signOptions) : buildSignedUrl(url, signOptions);
    return { exitCode: 0, stdout: `${out}\n`, stderr: '' };
  } catch (err) {
    if (isAuthError(err)) return { exitCode: 1, stdout: '', stderr: `sign: ${err.message}\n` };
    throw err;
  }
}

/** The key to sign with, from --secret-env + --key-id or from the key list in --keys-env; a string is a usage error. */
function signingKey(values: Map<string, string>, env: Record<string, string | undefined>): { id: string; secret: string } | string {
  const keyId = values.get('--key-id');
  const secretEnv = values.get('--secret-env');
  const keysEnv = values.get('--keys-env');
  if (secretEnv !== undefined && keysEnv !== undefined) return 'give --secret-env or --keys-env, not both';
  if (keysEnv !== undefined) {
    const list = env[keysEnv];
    if (list === undefined || list === '') return `environment variable ${keysEnv} is not set (it must hold KID:SECRET,...)`;
    const { keys, problems } = parseSigningKeyList(list);
    if (problems.length > 0) return `${keysEnv}: ${problems.join('; ')}`;
    const key = keyId === undefined ? keys[0] : keys.find((k) => k.id === keyId);
    if (key === undefined) return `${keysEnv} has no key '${keyId}' (it has ${keys.map((k) => `'${k.id}'`).join(', ')})`;
    return key;
  }
  if (secretEnv === undefined) return 'missing --secret-env (or --keys-env)';
  if (keyId === undefined) return 'missing --key-id';
  const secret = env[secretEnv];
  if (secret === undefined || secret === '') {
    return `environment variable ${secretEnv} is not set (it must hold the secret of key '${keyId}')`;
  }
  return { id: keyId, secret };
}

function usageError(message: string): SignCommandResult {
  return { exitCode: 2, stdout: '', stderr: `sign: ${message}\n${SIGN_USAGE}` };
}

function parseExpiresAt(text: string): number | Date | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

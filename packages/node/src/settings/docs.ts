/**
 * The settings as operators read them: `rtmp-cluster --help` and the README's configuration table and
 * exit codes (rewritten by `npm run docs:settings`; test/docs/readme.test.ts fails when they drift).
 */
import { EXIT_CODES } from '../ExitCode.js';
import { isConfigFileKey, OTHER_VARIABLES, SETTINGS } from './schema.js';
import { NODE_ROLES, SETTING_GROUPS, type SettingGroup, type SettingSpec } from './SettingSpec.js';

/** Markdown table cell text. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function defaultText(s: SettingSpec): string | undefined {
  if (s.defaultDoc !== undefined) return s.defaultDoc;
  if (s.default === undefined || typeof s.default === 'function') return undefined;
  return s.type.format(s.default);
}

/** A literal default as code (`1935`, `none`), a described one ("host name") as words. */
function defaultCell(s: SettingSpec): string {
  const text = defaultText(s);
  if (text === undefined) return '';
  return s.defaultDoc === undefined || /^\S+$/.test(s.defaultDoc) ? `\`${text.replace(/\|/g, '\\|')}\`` : cell(text);
}

function rolesText(s: SettingSpec): string {
  return s.roles.length === NODE_ROLES.length ? 'all' : s.roles.join(', ');
}

function byGroup(): Array<[SettingGroup, SettingSpec[]]> {
  return (Object.keys(SETTING_GROUPS) as SettingGroup[]).map((g) => [g, SETTINGS.filter((s) => s.group === g)]);
}


export const USAGE = `usage: rtmp-cluster [${NODE_ROLES.join('|')}] [--config FILE.json]
       rtmp-cluster sign --action publish|play --app APP --name NAME --key-id KID --secret-env ENV_VAR [--ttl S] [--url rtmp://host]
       rtmp-cluster --help`;

export function renderHelp(): string {
  const lines = [
    USAGE,
    '',
    'Settings come from their defaults, then the JSON config file (--config FILE or RTMPC_CONFIG; keys are the',
    'camelCase names below, unknown keys are errors), then the environment (unknown RTMPC_* names are errors).',
    '',
    'Exit codes:',
    ...EXIT_CODES.map((e) => `  ${e.code}  ${e.doc}`),
  ];
  for (const [group, settings] of byGroup()) {
    lines.push('', `${SETTING_GROUPS[group]}:`);
    for (const s of settings) {
      const def = defaultText(s);
      const file = isConfigFileKey(s.key) ? s.key : 'config file: the `auth` object';
      lines.push(`  ${s.env} (${file})`);
      lines.push(`      ${s.doc}`);
      lines.push(`      ${s.type.expected}${def !== undefined ? `; default ${def}` : ''}; roles: ${rolesText(s)}${s.secret ? '; a secret' : ''}`);
    }
  }
  lines.push('', 'Other variables:');
  for (const v of OTHER_VARIABLES) lines.push(`  ${v.name}`, `      ${v.doc}`);
  return `${lines.join('\n')}\n`;
}

/** The README's settings table (Markdown), one row per setting, grouped. */
export function renderSettingsTable(): string {
  const rows = ['| variable | JSON key | value | default | roles | meaning |', '|---|---|---|---|---|---|'];
  for (const [group, settings] of byGroup()) {
    rows.push(`| **${SETTING_GROUPS[group]}** | | | | | |`);
    for (const s of settings) {
      const jsonKey = isConfigFileKey(s.key) ? `\`${s.key}\`` : 'in `auth`';
      rows.push(`| \`${s.env}\` | ${jsonKey} | ${cell(s.type.expected)} | ${defaultCell(s)} | ${rolesText(s)} | ${cell(s.doc)}${s.secret ? ' (secret)' : ''} |`);
    }
  }
  rows.push('', '| other variable | meaning |', '|---|---|');
  for (const v of OTHER_VARIABLES) rows.push(`| \`${v.name}\` | ${cell(v.doc)} |`);
  return rows.join('\n');
}

export function renderExitCodes(): string {
  return ['| exit code | meaning |', '|---|---|', ...EXIT_CODES.map((e) => `| ${e.code} | ${cell(e.doc)} |`)].join('\n');
}

/** Generated README blocks: the text between `<!-- NAME:begin ... -->` and `<!-- NAME:end -->`. */
export const README_BLOCKS: Record<string, () => string> = { settings: renderSettingsTable, 'exit-codes': renderExitCodes };

const blockPattern = (name: string): RegExp => new RegExp(`(<!-- ${name}:begin[^>]*-->\\n)([\\s\\S]*?)(<!-- ${name}:end -->)`);

/** The block's current text in `readme` (ends with a newline), or undefined when its markers are missing. */
export function readmeBlock(readme: string, name: string): string | undefined {
  return blockPattern(name).exec(readme)?.[2];
}

/** `readme` with every generated block rewritten; throws when a block's markers are missing. */
export function rewriteReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(README_BLOCKS)) {
    if (readmeBlock(out, name) === undefined) throw new Error(`README has no <!-- ${name}:begin --> ... <!-- ${name}:end --> markers`);
    out = out.replace(blockPattern(name), (_m, begin: string, _old: string, end: string) => `${begin}${render()}\n${end}`);
  }
  return out;
}

// Lint: the rules here catch bugs the type checker cannot (a promise nobody awaits or catches ends the
// process on rejection), so every one of them is an error and `.ci/run` runs `npm run lint` before the tests.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', 'packages/node/bundle/**', '**/node_modules/**', 'packages/control/src/generated/**'],
  },
  {
    files: ['packages/**/*.ts', 'test/**/*.ts'],
    // Some files carry directives for rules a stricter setup may turn on (no-explicit-any): not an error here.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: ['./packages/*/tsconfig.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // An unhandled rejection ends the process: every promise is awaited, returned, or given a .catch.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      // An async callback where a void one is expected (event handlers, timers) rejects into nowhere.
      '@typescript-eslint/no-misused-promises': 'error',
      // Awaiting a non-promise hides a missing call or a wrong type.
      '@typescript-eslint/await-thenable': 'error',
      // A rejection thrown inside a Promise executor's async function is lost.
      'no-async-promise-executor': 'error',
      // Control characters in a pattern are nearly always a mistake; deliberate ones carry a disable comment.
      'no-control-regex': 'error',
    },
  },
  {
    // The node's runtime code takes these built-ins from @rtmp-cluster/core (NodeBuiltins.ts): an ES import of
    // them loads what an idle node does not use (Node's fetch client, node:fs/promises, TLS), about 18 MB.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/core/src/NodeBuiltins.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['node:http', 'node:https', 'node:tls', 'node:fs'].map((name) => ({
          name,
          message: 'take it from @rtmp-cluster/core (nodeHttp, nodeHttps(), nodeTls(), nodeFs): see NodeBuiltins.ts',
          allowTypeImports: true,
        })),
      }],
    },
  },
);

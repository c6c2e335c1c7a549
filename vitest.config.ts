import { defineConfig } from 'vitest/config';
import { SummaryLineReporter } from './test/support/SummaryLineReporter.js';

// Workspace packages export their TypeScript sources under this condition, so
// tests run against src/ while the executable runs the compiled dist/.
const conditions = ['@rtmp-cluster/source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@rtmp-cluster/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', new SummaryLineReporter()],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The machine has 2 cores; the end-to-end suites spawn servers and ffmpeg.
    maxWorkers: 2,
    fileParallelism: true,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // DuckDB, s3rver and CDK synth are CPU-heavy; two cores run two files at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});

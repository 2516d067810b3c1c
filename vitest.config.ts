import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores in CI: forks keep the SDK-heavy suites isolated without oversubscribing.
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores, so 1 on a 2-core machine: every file then
    // runs after the other. Most tests wait (on the simulator's latency, subprocesses, Redis), so two
    // at a time roughly halves the wall time without starving either. VITEST_MAX_WORKERS overrides.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/global-setup.ts'],
  },
});

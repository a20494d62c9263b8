import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src-*/**/*.test.ts', 'src-*/**/*.test.tsx', 'scripts/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.runtime.test.ts'],
          environment: 'node',
        },
      },
      {
        // Against a real subtensor runtime that the test runs under chopsticks. Its wasm executor is
        // CPU-heavy, so this group runs after the others instead of skewing their timing.
        test: {
          name: 'runtime',
          include: ['src-*/**/*.runtime.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The built app in real Chromium against a real daemon: needs `npm run build` first.
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

/**
 * One command runs every suite (`npm test`):
 * - collector: Node, through `app.request()` on real SQLite files;
 * - sdk: the App's core in happy-dom;
 * - console: the team console's logic (api client, times, forms) in happy-dom, and its size;
 * - browser: real Chromium (playwright-core) against a real collector on 127.0.0.1.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'collector',
          include: ['packages/collector/test/**/*.test.ts', 'packages/protocol/test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'sdk',
          include: ['packages/sdk/test/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'console',
          include: ['packages/console/test/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: the machines have two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});

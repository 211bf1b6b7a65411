// End-to-end tests: real Chromium (playwright-core, Debian's /usr/bin/chromium)
// against the real `mcms serve` serving the built SPA. `npm run e2e` (or
// `make e2e`, which builds first); see docs/e2e.md.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    // One shared server: files run one after another, in one worker.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    retry: 0,
  },
});

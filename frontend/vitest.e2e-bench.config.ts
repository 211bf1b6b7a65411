// Browser benchmarks (`npm run bench:spa`, part of `make bench`): the same
// harness as the end-to-end tests (vitest.e2e.config.ts), other files.
import { defineConfig } from 'vitest/config';
import e2e from './vitest.e2e.config';

export default defineConfig({ ...e2e, test: { ...e2e.test, include: ['e2e/**/*.bench.ts'] } });

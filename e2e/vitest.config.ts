import { projectConfig } from '../vitest.shared.ts';

// Integration tests start whole ecosystems: run files one at a time (2 cores), allow time.
export default projectConfig({
  include: ['integration/**/*.test.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
  fileParallelism: false,
});

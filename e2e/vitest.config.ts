import { projectConfig } from '../vitest.shared.ts';

// Integration tests start whole ecosystems: run files one at a time (2 cores), allow time.
// reliability/: the bad-input catalogue and the authorization matrix (reliability/README.md).
export default projectConfig({
  include: ['integration/**/*.test.ts', 'reliability/**/*.test.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
  fileParallelism: false,
});

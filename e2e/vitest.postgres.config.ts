import { projectConfig } from '../vitest.shared.ts';

// The whole ecosystem on PostgreSQL (run by .ci/run through `npm run test:postgres`).
export default projectConfig({
  include: ['postgres/**/*.test.ts'],
  testTimeout: 180_000,
  hookTimeout: 180_000,
  fileParallelism: false,
});

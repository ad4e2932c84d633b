import { projectConfig } from '../vitest.shared.ts';

// The interop tier: third-party peers (openid-client, sipp, curl, libxml2) against both MC systems
// over HTTPS; `npm run test:interop` (run by .ci/run, which installs sipp).
export default projectConfig({
  include: ['interop/**/*.interop.test.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
  fileParallelism: false,
});

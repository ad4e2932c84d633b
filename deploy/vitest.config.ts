import { projectConfig } from '../vitest.shared.ts';

// The deployment files' checks (deploy/README.md "What CI checks"): interop tier, since they run Debian's
// docker-compose; .ci/run installs it and runs `npx vitest run --root deploy`.
export default projectConfig({
  include: ['test/**/*.interop.test.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
  fileParallelism: false,
});

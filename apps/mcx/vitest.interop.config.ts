import { projectConfig } from '../../vitest.shared.ts';

// The interop tier: tests that need a third-party program .ci/run installs (HAProxy and Kamailio,
// the replicas' fronts) and the PostgreSQL server it starts; `npm run test:interop`, not `npm test`.
export default projectConfig({ include: ['test/**/*.interop.test.ts'], testTimeout: 300_000, hookTimeout: 180_000, fileParallelism: false });

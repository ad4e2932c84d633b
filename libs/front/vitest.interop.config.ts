import { projectConfig } from '../../vitest.shared.ts';

// The interop tier: tests against a third-party program (HAProxy, Kamailio) that `.ci/run` installs.
export default projectConfig({ include: ['test/**/*.interop.test.ts'] });

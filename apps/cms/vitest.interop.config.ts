import { projectConfig } from '../../vitest.shared.ts';

// The interop tier: tests against a third-party program (Kamailio's xcap_server) that `.ci/run` installs.
export default projectConfig({ include: ['test/**/*.interop.test.ts'] });

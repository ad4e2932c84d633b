import { configDefaults } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

// `*.interop.test.ts` drive a third-party program (HAProxy, Kamailio): they run in the interop tier
// (vitest.interop.config.ts, `npm run test:interop`), not in `npm test`.
export default projectConfig({ exclude: [...configDefaults.exclude, '**/*.interop.test.ts'] });

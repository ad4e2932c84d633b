import { configDefaults } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

// `*.interop.test.ts` need HAProxy, Kamailio and PostgreSQL: they run in the interop tier
// (vitest.interop.config.ts, `npm run test:interop`), not in `npm test`.
export default projectConfig({ exclude: [...configDefaults.exclude, '**/*.interop.test.ts'] });

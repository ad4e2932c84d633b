import { configDefaults } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

// `*.interop.test.ts` drive a third-party program (Kamailio): they run in the interop tier
// (vitest.interop.config.ts, `npm run test:interop`), not in `npm test`. `*.postgres.test.ts` need a
// PostgreSQL server (MCX_TEST_DATABASE_URL): `npm run test:postgres` only.
export default projectConfig({
  exclude: [...configDefaults.exclude, '**/*.interop.test.ts', ...(process.env.MCX_TEST_DATABASE_URL ? [] : ['**/*.postgres.test.ts'])],
});

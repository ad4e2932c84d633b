import { configDefaults } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

// `*.postgres.test.ts` need a PostgreSQL server (MCX_TEST_DATABASE_URL): `npm run test:postgres` only.
export default projectConfig(process.env.MCX_TEST_DATABASE_URL ? {} : { exclude: [...configDefaults.exclude, 'src/**/*.postgres.test.ts'] });

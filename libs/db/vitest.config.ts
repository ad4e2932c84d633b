import { configDefaults } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

// `*.postgres.test.ts` need a PostgreSQL server (MCX_TEST_DATABASE_URL): `npm run test:postgres` only.
// The SQLite writer thread's tests are the embedded database's: `npm test` only (there is no writer thread on PostgreSQL).
const onPostgres = /^postgres(ql)?:/.test(process.env.MCX_TEST_DATABASE_URL ?? '');
export default projectConfig({
  exclude: [...configDefaults.exclude, onPostgres ? 'src/sqlite-writer.test.ts' : 'src/**/*.postgres.test.ts'],
});

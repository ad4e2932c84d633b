import { describe, expect, it } from 'vitest';
import { databaseUrl } from './index.ts';
import { pgConfigFromUrl, providerOf, redactUrl, sqlitePathFromUrl, withDatabase } from './url.ts';

describe('database urls', () => {
  it('selects the provider from the scheme', () => {
    expect(providerOf('postgres://u@h/db')).toBe('postgresql');
    expect(providerOf('postgresql://u@h/db')).toBe('postgresql');
    expect(providerOf('file:/var/lib/mcx/a.db')).toBe('sqlite');
    expect(() => providerOf('mysql://h/db')).toThrow(/unsupported database url/);
  });

  it('maps file: urls and data directories to absolute SQLite paths', () => {
    expect(sqlitePathFromUrl('file:/var/lib/mcx/a.db')).toBe('/var/lib/mcx/a.db');
    expect(sqlitePathFromUrl('file:///var/lib/mcx/a%20b.db')).toBe('/var/lib/mcx/a b.db');
    expect(sqlitePathFromUrl('file:/x.db?connection_limit=1')).toBe('/x.db');
    expect(databaseUrl({ dataDir: '/srv/data', name: 'mcx-a-cms' })).toBe('file:///srv/data/mcx-a-cms.db');
    expect(() => databaseUrl({ dataDir: '/srv/data', name: '../escape' })).toThrow(/invalid database name/);
    expect(() => sqlitePathFromUrl('file::memory:')).toThrow(/in-memory/);
  });

  it('splits PostgreSQL urls into fields and switches databases', () => {
    expect(pgConfigFromUrl('postgres://postgres:p%40ss@127.0.0.1:5433/mcx?sslmode=require')).toEqual({
      host: '127.0.0.1',
      port: 5433,
      database: 'mcx',
      user: 'postgres',
      password: 'p@ss',
      ssl: { rejectUnauthorized: false },
    });
    expect(withDatabase('postgres://postgres@127.0.0.1:5432/postgres?sslmode=require', 'mcx_test_1')).toBe(
      'postgres://postgres@127.0.0.1:5432/mcx_test_1?sslmode=require',
    );
    expect(redactUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
  });
});

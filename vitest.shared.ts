// Shared vitest settings: libs are resolved from source through the "@mcx/source" export condition.
// Under CI each run also writes a JSON report that scripts/test-summary.mjs adds up.
import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

export function projectConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  const conditions = ['@mcx/source', ...defaultServerConditions];
  const reportName = `${process.env.MCX_TEST_REPORT ?? 'vitest'}.json`;
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@mcx/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...(process.env.CI
        ? { reporters: ['default', 'json'], outputFile: { json: `test-results/${reportName}` } }
        : {}),
      ...overrides,
    },
  });
}

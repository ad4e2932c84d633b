// Builds the console UI (React) into dist/ui. `mcx up` builds it on first start when it is missing.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic' },
  build: { outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)), emptyOutDir: true, sourcemap: true },
  logLevel: 'warn',
});

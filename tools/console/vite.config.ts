// The web console: a Preact single page built to static files (dist/) that upload-gateway serves at
// `/`. JSX is compiled by Vite's own esbuild (no framework plugin needed).
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src',
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: '../dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  logLevel: 'warn',
});

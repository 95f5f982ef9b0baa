// Two pages: the app (index.html) and the API explorer (docs.html, Swagger
// UI), so that the app's first load does not carry Swagger UI. Assets get
// content-hashed names; the gateway caches them for a year (docs/ui.md).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { precompress } from './vite-precompress';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
// `npm run dev` proxies the API to a gateway (make run's default address).
const gateway = process.env.POSTERN_URL ?? 'http://127.0.0.1:8025';

export default defineConfig({
  // TSX through esbuild, for Preact: no plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // .gz and .br beside each file; the build fails when the first load of /
  // passes 300 KB of compressed JavaScript and CSS (docs/ui.md).
  plugins: [precompress({ budgetBytes: 300 * 1024 })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Swagger UI is one large bundle, only on /docs.
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: here('index.html'), docs: here('docs.html') } },
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/openapi.json', '/message'].map((p) => [p, gateway])),
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});

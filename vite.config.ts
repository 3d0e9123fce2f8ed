import { defineConfig } from 'vitest/config';
import { e2ePages } from './scripts/vite-e2e-pages.ts';

// Cross-origin isolation lets ORT's wasm backend use threads (SharedArrayBuffer),
// and it costs nothing for the rest of the app, which loads no third-party assets.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  server: { host: '127.0.0.1', port: 5173, headers: isolation },
  preview: { host: '127.0.0.1', port: 4173, headers: isolation },
  // Test-only pages (e2e/pages/*.html) join the app only in `--mode e2e`, built to dist-e2e/ for
  // Playwright; a plain build (dist/) ships none of them.
  plugins: [e2ePages()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['scripts/vitest-global-setup.ts'],
    pool: 'forks',
    // Two cores: SwiftShader already spreads one dispatch over both, so more
    // parallel files only thrash.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});

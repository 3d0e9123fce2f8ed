// e2e tests drive the built app in Debian's Chromium, with WebGPU on SwiftShader where there is no
// GPU (DESIGN.md §7). `vite preview` serves the e2e build on 127.0.0.1 with the same COOP/COEP headers as
// dev, so the page is cross-origin isolated as in real use.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs';

const PORT = 4173;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1, // two cores: SwiftShader already uses both for one page
  retries: 0,
  reporter: process.env.STEPWISE_PW_REPORT ? [['list'], ['json', { outputFile: process.env.STEPWISE_PW_REPORT }]] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 720 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'off',
  },
  // The e2e build (the app plus e2e/pages, in dist-e2e/) is made here, so a run never serves a
  // stale one and the shipped dist/ never holds test pages (scripts/vite-e2e-pages.ts).
  webServer: {
    command: `npx vite build --mode e2e --logLevel warn && npx vite preview --mode e2e --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 180_000,
  },
});

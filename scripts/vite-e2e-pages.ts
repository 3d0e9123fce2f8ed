// Vite plugin for the e2e build only (`vite build --mode e2e`, served by `vite preview --mode
// e2e`): adds the test-only pages in e2e/pages/*.html next to the app, so Playwright drives them
// against the same worker chunks and ORT assets users get, and writes the result to dist-e2e/.
// A plain `vite build` never sees these pages or their test hooks (window.stepwiseBackbone):
// dist/ is what ships.

import { existsSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Plugin, UserConfig } from 'vite';

/** The Vite mode that builds and previews the test pages. */
export const E2E_MODE = 'e2e';
/** Where the e2e build goes, apart from the shipped dist/. */
export const E2E_OUT_DIR = 'dist-e2e';

type Input = string | string[] | Record<string, string> | undefined;

function asRecord(input: Input, root: string): Record<string, string> {
  if (!input) {
    const app = resolve(root, 'index.html');
    return existsSync(app) ? { index: app } : {};
  }
  if (typeof input === 'string') return { [basename(input, '.html')]: input };
  if (Array.isArray(input)) return Object.fromEntries(input.map((p) => [basename(p, '.html'), p]));
  return { ...input };
}

export function e2ePages(): Plugin {
  return {
    name: 'stepwise-e2e-pages',
    // Build and preview, in e2e mode only: preview must read the same output folder.
    apply: (_config, env) => env.mode === E2E_MODE && (env.command === 'build' || env.isPreview === true),
    config(config: UserConfig, env) {
      const root = resolve(config.root ?? process.cwd());
      config.build ??= {};
      config.build.outDir ??= E2E_OUT_DIR;
      if (env.command !== 'build') return;
      const dir = resolve(root, 'e2e', 'pages');
      if (!existsSync(dir)) return;
      const pages = readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
      if (!pages.length) return;
      const options = (config.build.rolldownOptions ??= {});
      const input = asRecord((options.input ?? config.build.rollupOptions?.input) as Input, root);
      for (const page of pages) input[`e2e-${basename(page, '.html')}`] = resolve(dir, page);
      options.input = input;
    },
  };
}

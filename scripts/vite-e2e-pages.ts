// Vite plugin: builds the test-only pages in e2e/pages/*.html next to the app, so Playwright
// drives them against the production bundle (the same worker chunks and ORT assets users get).
// The app's own inputs are kept; only entries for these pages are added.

import { existsSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Plugin, UserConfig } from 'vite';

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
    apply: 'build',
    config(config: UserConfig) {
      const root = resolve(config.root ?? process.cwd());
      const dir = resolve(root, 'e2e', 'pages');
      if (!existsSync(dir)) return;
      const pages = readdirSync(dir).filter((f) => f.endsWith('.html')).sort();
      if (!pages.length) return;
      config.build ??= {};
      const options = (config.build.rolldownOptions ??= {});
      const input = asRecord((options.input ?? config.build.rollupOptions?.input) as Input, root);
      for (const page of pages) input[`e2e-${basename(page, '.html')}`] = resolve(dir, page);
      options.input = input;
    },
  };
}

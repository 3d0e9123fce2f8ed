// The shipped build carries no test pages or hooks: a real `vite build` of this repository is
// grepped for the e2e page's hook, and the e2e-mode build is grepped too, so the check is known
// to find the hook when it is there.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build } from 'vite';
import { E2E_MODE } from './vite-e2e-pages';

const root = resolve(import.meta.dirname, '..');
const HOOK = 'stepwiseBackbone';
const work = mkdtempSync(join(tmpdir(), 'stepwise-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function buildInto(mode: string): Promise<{ dir: string; all: string[]; withHook: string[] }> {
  const dir = join(work, mode);
  await build({ root, configFile: join(root, 'vite.config.ts'), mode, logLevel: 'silent', build: { outDir: dir, emptyOutDir: true } });
  const all = files(dir).map((f) => relative(dir, f));
  // Model weights are binary and large; the hook can only be in text assets.
  const withHook = all.filter((f) => !f.startsWith('models/') && readFileSync(join(dir, f), 'utf8').includes(HOOK));
  return { dir, all, withHook };
}

describe('production build', () => {
  it(`dist holds the app and no test page or ${HOOK} hook; only the e2e build has them`, async () => {
    const shipped = await buildInto('production');
    expect(shipped.all).toContain('index.html');
    expect(shipped.all.filter((f) => f.startsWith('e2e') || f.includes('/e2e'))).toEqual([]);
    expect(shipped.withHook).toEqual([]);

    const e2e = await buildInto(E2E_MODE);
    expect(e2e.all).toContain('index.html');
    expect(e2e.all).toContain('e2e/pages/model.html');
    expect(e2e.withHook.length).toBeGreaterThan(0);
  });
});

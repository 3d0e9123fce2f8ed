// The kernel suite in Chromium: every case that vitest runs on Dawn in Node (src/kernels/*.cases.ts,
// each against its float64 reference) runs again in the page on the browser's WebGPU device
// (SwiftShader where there is no GPU). One suite, every device.

import { expect, test } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult } from './pages/kernels-page';

const PAGE = '/e2e/pages/kernels.html';

test('every kernel case passes in Chromium', async ({ page }, testInfo) => {
  // ~230 cases; SwiftShader compiles each pipeline on the CPU, so the whole suite takes minutes.
  test.setTimeout(360_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(PAGE);
  await page.waitForFunction(() => document.body.dataset.ready === '1');

  // The page holds every case file there is, so no kernel escapes the browser run.
  const onDisk = readdirSync(join(process.cwd(), 'src', 'kernels')).filter((f) => f.endsWith('.cases.ts')).map((f) => f.replace(/\.cases\.ts$/, '')).sort();
  const { files, cases } = await page.evaluate(() => window.stepwiseKernels.list());
  expect(files).toEqual(onDisk);
  for (const kernel of ['embedding', 'rmsnorm', 'rope', 'attention', 'swiglu', 'cross-entropy', 'matmul', 'dense', 'colsum', 'segment', 'segsoftmax', 'spa', 'ppo', 'gae', 'adam', 'reduce']) {
    expect(files, kernel).toContain(kernel);
  }

  const device = await page.evaluate(() => window.stepwiseKernels.device());
  expect(device.runtime).toBe('browser');

  const results: CaseResult[] = [];
  const t0 = Date.now();
  for (const file of files) {
    const r = await test.step(file, () => page.evaluate((f) => window.stepwiseKernels.runFile(f), file));
    const failed = r.filter((x) => !x.ok).length;
    const ms = r.reduce((s, x) => s + x.ms, 0);
    console.log(`[kernels] ${file}: ${r.length - failed}/${r.length} passed in ${(ms / 1000).toFixed(1)} s`);
    for (const x of r) if (!x.ok) console.log(`[kernels]   FAIL ${x.id}\n             ${x.error}`);
    results.push(...r);
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`[kernels] ${results.filter((x) => x.ok).length}/${results.length} cases passed in ${seconds.toFixed(0)} s on ${device.description || device.architecture || device.vendor}${device.isFallbackAdapter ? ' (fallback adapter)' : ''}`);
  await testInfo.attach('kernel-cases.json', { body: JSON.stringify({ device, seconds, results }, null, 2), contentType: 'application/json' });

  expect(results.map((x) => x.id)).toEqual(cases);
  expect(results.filter((x) => !x.ok).map((x) => `${x.id}: ${x.error}`)).toEqual([]);
  expect(pageErrors).toEqual([]);
});

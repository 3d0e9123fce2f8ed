// The Compare screen in Chromium: import run bundles, choose runs, overlay a metric's curves, read
// the paper-style results table (mean ± std over seeds), export CSV and PNG; labels with markup
// stay text; a malformed bundle changes nothing.

import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';
import { FIXTURE, RUNS_JSON, importFile } from './lab';

const cmp = (page: Page) => page.locator('sw-compare');
/** The entropy metric's name as the fixture wrote it (the protocol's METRICS.entropy). */
const ENTROPY = Object.keys((JSON.parse(RUNS_JSON) as { metrics: Record<string, unknown>[] }[])[0].metrics[0]).find((k) => /entropy/.test(k))!;

async function importRuns(page: Page): Promise<void> {
  await page.goto('/#/compare');
  await expect(cmp(page).getByText('No runs stored yet.')).toBeVisible();
  await importFile(page, 'cmp-import', 'runs.json', RUNS_JSON);
  await expect(cmp(page).getByTestId('cmp-notice')).toHaveText('Imported 6 runs from runs.json.');
}

test('compares imported runs: curves, side by side, and the results table with CSV and PNG export', async ({ page }) => {
  const errors = collectErrors(page);
  await importRuns(page);
  const c = cmp(page);
  await expect(c.getByTestId('cmp-table').locator('tbody tr')).toHaveCount(6);
  const results = c.getByTestId('cmp-results');
  // Methods × (household · seen-test, household · unseen-test).
  await expect(results.locator('tbody tr')).toHaveCount(3);
  await expect(results.locator('thead')).toContainText('household · unseen-test');
  // spa on unseen-test: success 0.72 and 0.74 over seeds 1, 2 → 73.0 ± 1.0; grounding 0.91, 0.92 → 91.5 ± 0.5.
  const spa = results.locator('tbody tr').filter({ has: page.locator('th', { hasText: /^spa$/ }) });
  await expect(spa).toContainText('73.0 ± 1.0 (n=2)');
  await expect(spa).toContainText('91.5 ± 0.5');
  // The markup in a label is text.
  await expect(c.getByTestId('cmp-runs')).toContainText(FIXTURE.xss);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

  // Curves: pick a metric; the URL keeps it.
  await c.getByTestId('cmp-metric').selectOption(ENTROPY);
  expect(decodeURIComponent(page.url())).toContain(`metric=${ENTROPY}`);
  await expect(c.locator('sw-line-chart canvas')).toHaveCount(1);

  // Deselect two runs: tables follow, the URL lists the chosen ones.
  await c.getByTestId('cmp-runs').locator('label').filter({ hasText: 'outcome · household · seed 1' }).locator('input').uncheck();
  await c.getByTestId('cmp-runs').locator('label').filter({ hasText: 'outcome · household · seed 2' }).locator('input').uncheck();
  await expect(c.getByTestId('cmp-table').locator('tbody tr')).toHaveCount(4);
  await expect(results.locator('tbody tr')).toHaveCount(2);
  const chosen = new URL(page.url().replace('#/compare', '')).searchParams.get('runs')?.split(',').sort();
  expect(chosen).toEqual(['rloo-s1', 'rloo-s2', 'spa-s1', 'spa-s2']);

  const [csv] = await Promise.all([page.waitForEvent('download'), c.getByTestId('cmp-csv-results').click()]);
  const text = await readFile((await csv.path())!, 'utf8');
  expect(text.split('\r\n')[0]).toBe('env,split,method,seeds,success_mean,success_std,grounding_mean,grounding_std,score_mean,score_std');
  expect(text).toContain('household,unseen-test,spa,1 2,0.73');
  const [runsCsv] = await Promise.all([page.waitForEvent('download'), c.getByTestId('cmp-csv-runs').click()]);
  const runsText = await readFile((await runsCsv.path())!, 'utf8');
  expect(runsText).toContain('rloo');
  // Every side-by-side column has a value for these runs (names match the protocol's).
  expect(runsText.split('\r\n')[1].split(',').filter((x) => x === '')).toEqual([]);

  const [png] = await Promise.all([page.waitForEvent('download'), c.getByTestId('cmp-png').click()]);
  expect(png.suggestedFilename()).toBe(`${ENTROPY.replace(/[^\w.-]+/g, '-')}.png`);
  const bytes = await readFile((await png.path())!);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.length).toBeGreaterThan(2000);
  await screenshot(page, 'compare');
  expect(errors).toEqual([]);
});

test('a malformed run bundle names the run and field and imports nothing', async ({ page }) => {
  await importRuns(page);
  const c = cmp(page);
  const bad = JSON.parse(RUNS_JSON) as { run: { config: { ppo: { lr: unknown } } } }[];
  bad[4].run.config.ppo.lr = -1;
  await importFile(page, 'cmp-import', 'bad-runs.json', JSON.stringify(bad.map((b, i) => ({ ...b, run: { ...b.run, id: `new-${i}` } }))));
  await expect(c.getByTestId('cmp-error')).toContainText('bad-runs.json: cannot import runs: run 4 (new-4): run.config: ppo.lr must be a number in (0, 1], got -1; nothing was imported');
  await expect(c.getByTestId('cmp-table').locator('tbody tr')).toHaveCount(6);
  await page.reload();
  await expect(cmp(page).getByTestId('cmp-table').locator('tbody tr')).toHaveCount(6);
});

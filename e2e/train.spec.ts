// Training in the page (issue 11, Train; issue 10, persistence): a tiny SPA run started from the
// Train screen runs in the trainer worker (its WebGPU device on SwiftShader, the bundled model in
// the LLM worker on wasm, environments in the env worker), metrics reach the charts; the page is
// reloaded in the middle of the run (which kills every worker), the screen offers to resume it,
// and the resumed run finishes from its last checkpoint with every metric row stored once.

import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';
import { RUNS_JSON, expectAccessible, importFile } from './lab';

/**
 * The Train screen's link for a tiny SPA run (2 tasks, K = 2, 2 PPO iterations, one evaluation
 * task per split); fields left out keep their defaults. Written out because the config module
 * imports the environments' JSON, which Playwright's loader does not take.
 */
const TINY = new URLSearchParams({
  'run.env': 'household', 'run.seed': '3', 'run.reward': 'spa', 'run.tasks.count': '2', 'run.bc.epochs': '2', 'run.explore.k': '2',
  'run.estimator.hidden': '8', 'run.estimator.epochs': '3', 'run.estimator.heldOut': '0.25', 'run.estimator.refitEvery': '1',
  'run.ppo.iterations': '2', 'run.ppo.tasksPerIteration': '2', 'run.ppo.epochs': '1', 'run.ppo.minibatch': '16', 'run.eval.tasks': '1',
});

const train = (page: Page) => page.locator('sw-train');
/** Metric rows the charts hold (the Train screen feeds them from the trainer's events). */
const chartRows = (page: Page) => page.locator('sw-train-charts').evaluate((el) => (el as HTMLElement & { rows: unknown[] }).rows.length);
/** The x range uPlot drew for the first (outcome) chart. */
const outcomeXRange = (page: Page) => page.locator('sw-train-charts sw-line-chart').first().evaluate((el) => {
  const plot = (el as HTMLElement & { plot: { scales: { x: { min: number; max: number } } } | null }).plot;
  return plot ? [plot.scales.x.min + 0, plot.scales.x.max + 0] : null; // + 0: -0 reads as 0
});

interface StoredRow { iteration: number; stage?: string; split?: string }
interface StoredRun { id: string; status: string; label: string; config?: { episode?: { maxSteps?: number } }; extra?: { options?: { maxSteps?: number } } }
/** The run store as the trainer worker wrote it (IndexedDB "stepwise"). */
async function stored(page: Page): Promise<{ runs: StoredRun[]; rows: Record<string, StoredRow[]> }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('stepwise');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T>(store: string) => new Promise<T[]>((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => resolve(r.result as T[]);
      r.onerror = () => reject(r.error);
    });
    const runs = await all<StoredRun>('runs');
    const metrics = await all<{ runId: string; seq: number; row: StoredRow }>('metrics');
    db.close();
    const rows: Record<string, StoredRow[]> = {};
    for (const m of metrics.sort((a, b) => a.seq - b.seq)) (rows[m.runId] ??= []).push({ iteration: m.row.iteration, stage: m.row.stage, split: m.row.split });
    return { runs: runs.map((r) => ({ id: r.id, status: r.status, label: r.label, config: { episode: r.config?.episode }, extra: r.extra })), rows };
  });
}

test('trains a tiny run in the page, survives a reload in the middle and resumes it to the end', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = collectErrors(page);
  const t0 = Date.now();
  await page.goto(`/#/train?${TINY}`);
  const s = train(page);
  await expect(s.getByTestId('train-notice')).toHaveCount(0); // every parameter of the link was taken
  // The cap on an episode's decisions is one field, the config's "Max steps per episode" (15 by
  // default); it goes into the link as run.episode.maxSteps and reaches the trainer in the config.
  const cap = s.getByLabel('Max steps per episode');
  await expect(cap).toHaveValue('15');
  await cap.fill('12');
  await cap.press('Tab');
  await expect.poll(() => page.url()).toContain('run.episode.maxSteps=12');
  expect(page.url()).not.toContain('options.');
  await s.getByTestId('train-start').scrollIntoViewIfNeeded();
  await s.getByTestId('train-start').click();
  await expect(s.getByTestId('train-status')).toHaveText('running', { timeout: 60_000 });

  // Metrics arrive: the BC row, then the estimator's (the run is then in its first PPO iteration).
  await expect.poll(() => chartRows(page), { timeout: 240_000, message: 'BC and estimator rows reach the charts' }).toBeGreaterThanOrEqual(2);
  const before = await stored(page);
  expect(before.runs).toHaveLength(1);
  const run = before.runs[0];
  expect(run.status).toBe('running');
  expect(run.config?.episode?.maxSteps, 'the step cap reached the trainer in the config').toBe(12);
  expect(run.extra?.options?.maxSteps, 'no run-option override beside it').toBeUndefined();
  // The x axis spans the configured 2 PPO iterations, not uPlot's 0…100 for a lone iteration 0.
  expect(await outcomeXRange(page)).toEqual([0, 2]);
  const rowsBefore = before.rows[run.id] ?? [];
  expect(rowsBefore.length, 'reloaded before the end of the run').toBeLessThan(6);
  console.log(`metrics in the page after ${((Date.now() - t0) / 1000).toFixed(0)} s; reloading with ${rowsBefore.length} rows stored`);
  await screenshot(page, 'train-running');

  // Reload in the middle: the workers die with the page; the run stays "running" in the store.
  await page.reload();
  const offer = train(page).getByTestId('train-resume-offer');
  await expect(offer).toBeVisible();
  await expect(offer).toContainText(run.label);
  await expect(offer).toContainText('when the tab closed');
  await offer.getByRole('button', { name: 'Resume it' }).click();
  // The charts start from the run's stored rows, not only what the resumed session adds.
  await expect.poll(() => chartRows(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(rowsBefore.length);
  await expect(train(page).getByTestId('train-status')).toHaveText(/running|finished/, { timeout: 60_000 });
  await expect(train(page).getByTestId('train-status')).toHaveText('finished', { timeout: 300_000 });
  console.log(`finished after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  // Stages the first session finished show as done in the resumed one.
  for (const stage of ['Behaviour cloning', 'Exploration', 'Progress estimator', 'PPO', 'Evaluation']) {
    await expect(train(page).locator('.stage', { hasText: stage })).toContainText('done');
  }
  await screenshot(page, 'train-finished');
  // A run without SFT has no SFT chart (the throughput chart spans the row instead).
  await expect(train(page).getByTestId('sft-chart')).toHaveCount(0);

  // Every row once, in order: the resume redid at most the unit in progress and wrote nothing twice.
  const after = await stored(page);
  expect(after.runs).toEqual([expect.objectContaining({ id: run.id, status: 'finished' })]);
  const rows = after.rows[run.id];
  expect(rows.map((r) => `${r.stage}:${r.iteration}${r.split ? `:${r.split}` : ''}`)).toEqual([
    'bc:0', 'estimator:0', 'ppo:1', 'ppo:2', 'eval:2:seen-test', 'eval:2:unseen-test',
  ]);
  expect(rows.slice(0, rowsBefore.length)).toEqual(rowsBefore);
  // The charts hold the whole run: the stored rows from before the reload and the resumed session's.
  expect(await chartRows(page)).toBeGreaterThanOrEqual(rows.length);
  expect(await outcomeXRange(page)).toEqual([0, 2]);
  await expect(train(page).getByTestId('train-resume-offer')).toHaveCount(0);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test('offers failed (lost device) and stopped runs for resuming, not only interrupted ones', async ({ page }) => {
  const errors = collectErrors(page);
  // Finished runs from the Compare import; two of them are then marked as a real session leaves them.
  await page.goto('/#/compare');
  await importFile(page, 'cmp-import', 'runs.json', RUNS_JSON);
  await expect(page.locator('sw-compare').getByTestId('cmp-notice')).toBeVisible();
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('stepwise');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction('runs', 'readwrite');
    const runs = tx.objectStore('runs');
    const mark = (id: string, patch: Record<string, unknown>) => new Promise<void>((resolve, reject) => {
      const g = runs.get(id);
      g.onsuccess = () => { const p = runs.put({ ...g.result, ...patch }); p.onsuccess = () => resolve(); p.onerror = () => reject(p.error); };
      g.onerror = () => reject(g.error);
    });
    await mark('spa-s1', { status: 'failed', stage: 'ppo', iteration: 2, updatedAt: '2099-01-02T00:00:00.000Z', error: 'the GPU device was lost (test)' });
    await mark('outcome-s2', { status: 'cancelled', stage: 'ppo', iteration: 1, updatedAt: '2099-01-01T00:00:00.000Z' });
    await new Promise<void>((resolve) => { tx.oncomplete = () => resolve(); });
    db.close();
  });
  await page.goto('/#/train');
  const offer = train(page).getByTestId('train-resume-offer');
  // Newest first: the run a lost device failed, with its reason.
  await expect(offer.getByTestId('train-resume-text')).toHaveText('Run “spa · household · seed 1” failed in PPO after PPO iteration 2: the GPU device was lost (test).');
  const pick = offer.getByLabel(/Unfinished runs \(2\)/);
  await expect(pick.locator('option')).toHaveText(['spa · household · seed 1 · failed', 'outcome · household · seed 2 · cancelled']);
  await pick.selectOption('outcome-s2');
  await expect(offer.getByTestId('train-resume-text')).toHaveText('Run “outcome · household · seed 2” was stopped in PPO after PPO iteration 1.');
  await expect(offer.getByRole('button', { name: 'Resume it' })).toBeEnabled();
  await expectAccessible(page, 'the Train screen with the resume offer');
  await screenshot(page, 'train-resume-offer');
  // One step-cap field on the whole form, Advanced open: the config's, with no run-option twin.
  await train(page).getByText(/^Advanced \(\d+ settings\)$/).click();
  await expect(train(page).getByLabel(/steps? (per|cap)/i)).toHaveCount(1);
  await expect(train(page).getByLabel('Max steps per episode')).toHaveValue('15');
  await expect(train(page).getByText('Step cap per episode')).toHaveCount(0);
  await expectAccessible(page, 'the Train screen with Advanced open');
  await screenshot(page, 'train-advanced');
  expect(errors).toEqual([]);
});

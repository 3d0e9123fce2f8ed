// Training in the page (issue 11, Train; issue 10, persistence): a tiny SPA run started from the
// Train screen runs in the trainer worker (its WebGPU device on SwiftShader, the bundled model in
// the LLM worker on wasm, environments in the env worker), metrics reach the charts; the page is
// reloaded in the middle of the run (which kills every worker), the screen offers to resume it,
// and the resumed run finishes from its last checkpoint with every metric row stored once.

import { expect, test, type Page } from '@playwright/test';
import { collectErrors, screenshot } from './fixtures';

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

interface StoredRow { iteration: number; stage?: string; split?: string }
/** The run store as the trainer worker wrote it (IndexedDB "stepwise"). */
async function stored(page: Page): Promise<{ runs: Array<{ id: string; status: string; label: string }>; rows: Record<string, StoredRow[]> }> {
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
    const runs = await all<{ id: string; status: string; label: string }>('runs');
    const metrics = await all<{ runId: string; seq: number; row: StoredRow }>('metrics');
    db.close();
    const rows: Record<string, StoredRow[]> = {};
    for (const m of metrics.sort((a, b) => a.seq - b.seq)) (rows[m.runId] ??= []).push({ iteration: m.row.iteration, stage: m.row.stage, split: m.row.split });
    return { runs: runs.map((r) => ({ id: r.id, status: r.status, label: r.label })), rows };
  });
}

test('trains a tiny run in the page, survives a reload in the middle and resumes it to the end', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = collectErrors(page);
  const t0 = Date.now();
  await page.goto(`/#/train?${TINY}`);
  const s = train(page);
  await expect(s.getByTestId('train-notice')).toHaveCount(0); // every parameter of the link was taken
  await s.getByTestId('train-start').click();
  await expect(s.getByTestId('train-status')).toHaveText('running', { timeout: 60_000 });

  // Metrics arrive: the BC row, then the estimator's (the run is then in its first PPO iteration).
  await expect.poll(() => chartRows(page), { timeout: 240_000, message: 'BC and estimator rows reach the charts' }).toBeGreaterThanOrEqual(2);
  const before = await stored(page);
  expect(before.runs).toHaveLength(1);
  const run = before.runs[0];
  expect(run.status).toBe('running');
  const rowsBefore = before.rows[run.id] ?? [];
  expect(rowsBefore.length, 'reloaded before the end of the run').toBeLessThan(6);
  console.log(`metrics in the page after ${((Date.now() - t0) / 1000).toFixed(0)} s; reloading with ${rowsBefore.length} rows stored`);
  await screenshot(page, 'train-running');

  // Reload in the middle: the workers die with the page; the run stays "running" in the store.
  await page.reload();
  const offer = train(page).getByTestId('train-resume-offer');
  await expect(offer).toBeVisible();
  await expect(offer).toContainText(run.label);
  await offer.getByRole('button', { name: 'Resume it' }).click();
  await expect(train(page).getByTestId('train-status')).toHaveText(/running|finished/, { timeout: 60_000 });
  await expect(train(page).getByTestId('train-status')).toHaveText('finished', { timeout: 300_000 });
  console.log(`finished after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  // Stages the first session finished show as done in the resumed one.
  for (const stage of ['Behaviour cloning', 'Exploration', 'Progress estimator', 'PPO', 'Evaluation']) {
    await expect(train(page).locator('.stage', { hasText: stage })).toContainText('done');
  }
  await screenshot(page, 'train-finished');

  // Every row once, in order: the resume redid at most the unit in progress and wrote nothing twice.
  const after = await stored(page);
  expect(after.runs).toEqual([expect.objectContaining({ id: run.id, status: 'finished' })]);
  const rows = after.rows[run.id];
  expect(rows.map((r) => `${r.stage}:${r.iteration}${r.split ? `:${r.split}` : ''}`)).toEqual([
    'bc:0', 'estimator:0', 'ppo:1', 'ppo:2', 'eval:2:seen-test', 'eval:2:unseen-test',
  ]);
  expect(rows.slice(0, rowsBefore.length)).toEqual(rowsBefore);
  // The resumed session's rows reached the charts too.
  expect(await chartRows(page)).toBeGreaterThanOrEqual(rows.length - rowsBefore.length);
  await expect(train(page).getByTestId('train-resume-offer')).toHaveCount(0);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
